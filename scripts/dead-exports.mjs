// Lists the dead exports of src/: exported values (functions, classes,
// constants) that no other file of src/, bench/, test/ or scripts/ imports
// (statically, by a re-export, or by `await import(...)`). The package's
// entry points and the modules loaded at run time by path (CLI commands, the
// search's job handler) are roots. Type-only exports (interfaces, type
// aliases) are left out: they name the parameters and results of exported
// functions for callers, and cost nothing at run time.
// Usage: node scripts/dead-exports.mjs [--json]   (exit 1 when there are some)
import { readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** Exported names that are used without an import: entry points and modules found at run time. */
const ROOTS = [
  { file: 'src/index.ts', names: '*' },
  { file: 'src/verify/index.ts', names: '*' },
  { file: 'src/symbolic/index.ts', names: '*' },
  // bin/autoloss.js imports dist/cli/main.js.
  { file: 'src/cli/main.ts', names: ['main'] },
  // Discovered from their folder at start-up.
  { dir: 'src/cli/commands', names: ['register'] },
  // Loaded by URL by every executor (search/executor/handler.ts).
  { file: 'src/search/jobs.ts', names: ['createRunJob'] },
];

function files(dir, exts) {
  let out = [];
  let entries;
  try {
    entries = readdirSync(dir);
  } catch {
    return out;
  }
  for (const f of entries) {
    const p = join(dir, f);
    if (f === 'node_modules' || f === 'dist') continue;
    if (statSync(p).isDirectory()) out = out.concat(files(p, exts));
    else if (exts.some((e) => f.endsWith(e)) && !f.endsWith('.d.ts')) out.push(p);
  }
  return out;
}

/**
 * The dead exports: `{ file, name }` sorted by file and name.
 *
 * @example deadExports() // [{ file: 'src/x.ts', name: 'unused' }]
 */
export function deadExports(repo = REPO) {
  const srcFiles = files(join(repo, 'src'), ['.ts']);
  const others = ['bench', 'test', 'scripts'].flatMap((d) => files(join(repo, d), ['.ts', '.mts', '.mjs', '.js']));
  const program = ts.createProgram([...srcFiles, ...others], {
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    allowJs: true,
    noEmit: true,
    skipLibCheck: true,
  });
  const checker = program.getTypeChecker();
  const used = new Set(); // "absolute file#name"
  const key = (file, name) => `${resolve(file)}#${name}`;

  const moduleFile = (from, spec) => {
    if (!spec.startsWith('.')) return undefined;
    const r = ts.resolveModuleName(spec, from, program.getCompilerOptions(), ts.sys).resolvedModule;
    return r ? resolve(r.resolvedFileName) : undefined;
  };
  const exportsOf = (file) => {
    const sf = program.getSourceFile(file);
    const sym = sf && checker.getSymbolAtLocation(sf);
    return sym ? checker.getExportsOfModule(sym).map((s) => s.getName()) : [];
  };
  for (const sf of program.getSourceFiles()) {
    const file = resolve(sf.fileName);
    if (!file.startsWith(repo) || file.includes('node_modules')) continue;
    const visit = (node) => {
      if (ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) {
        const spec = node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier) ? node.moduleSpecifier.text : undefined;
        const target = spec && moduleFile(file, spec);
        if (target) {
          if (ts.isImportDeclaration(node)) {
            const c = node.importClause;
            if (c?.name) used.add(key(target, 'default'));
            const b = c?.namedBindings;
            if (b && ts.isNamespaceImport(b)) for (const n of exportsOf(target)) used.add(key(target, n));
            if (b && ts.isNamedImports(b)) for (const el of b.elements) used.add(key(target, (el.propertyName ?? el.name).text));
          } else if (!node.exportClause) {
            // export * from: every name of the target passes through.
            for (const n of exportsOf(target)) used.add(key(target, n));
          } else if (ts.isNamedExports(node.exportClause)) {
            for (const el of node.exportClause.elements) used.add(key(target, (el.propertyName ?? el.name).text));
          } else {
            for (const n of exportsOf(target)) used.add(key(target, n));
          }
        }
      } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword && node.arguments[0] && ts.isStringLiteralLike(node.arguments[0])) {
        const target = moduleFile(file, node.arguments[0].text);
        if (target) {
          // `const { a, b } = await import(...)` or `(await import(...)).a`: those names; anything else: all.
          let p = node.parent;
          if (p && ts.isAwaitExpression(p)) p = p.parent;
          while (p && ts.isParenthesizedExpression(p)) p = p.parent;
          if (p && ts.isVariableDeclaration(p) && ts.isObjectBindingPattern(p.name)) {
            for (const el of p.name.elements) {
              const n = el.propertyName ?? el.name;
              if (ts.isIdentifier(n)) used.add(key(target, n.text));
            }
          } else if (p && ts.isPropertyAccessExpression(p)) {
            used.add(key(target, p.name.text));
          } else {
            for (const n of exportsOf(target)) used.add(key(target, n));
          }
        }
      } else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument) && ts.isStringLiteral(node.argument.literal)) {
        const target = moduleFile(file, node.argument.literal.text);
        if (target) {
          if (node.qualifier && ts.isIdentifier(node.qualifier)) used.add(key(target, node.qualifier.text));
          else for (const n of exportsOf(target)) used.add(key(target, n));
        }
      }
      ts.forEachChild(node, visit);
    };
    visit(sf);
  }

  const isRoot = (file, name) =>
    ROOTS.some((r) => {
      const hit = r.file ? resolve(repo, r.file) === file : dirname(file) === resolve(repo, r.dir);
      return hit && (r.names === '*' || r.names.includes(name));
    });
  const dead = [];
  const valueExportsOf = (file) => {
    const sf = program.getSourceFile(file);
    const sym = sf && checker.getSymbolAtLocation(sf);
    if (!sym) return [];
    return checker
      .getExportsOfModule(sym)
      .filter((s) => {
        const t = s.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(s) : s;
        return (t.flags & ts.SymbolFlags.Value) !== 0;
      })
      .map((s) => s.getName());
  };
  for (const f of srcFiles) {
    const file = resolve(f);
    for (const name of valueExportsOf(file)) {
      if (used.has(key(file, name)) || isRoot(file, name)) continue;
      dead.push({ file: relative(repo, file).replaceAll('\\', '/'), name });
    }
  }
  return dead.sort((a, b) => (a.file === b.file ? a.name.localeCompare(b.name) : a.file.localeCompare(b.file)));
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const dead = deadExports();
  if (process.argv.includes('--json')) process.stdout.write(`${JSON.stringify(dead)}\n`);
  else for (const d of dead) process.stdout.write(`${d.file}: ${d.name}\n`);
  process.stderr.write(`${dead.length} dead export${dead.length === 1 ? '' : 's'}\n`);
  process.exitCode = dead.length ? 1 : 0;
}
