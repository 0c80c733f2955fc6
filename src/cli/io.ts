/** File helpers now live in src/util/fs.ts; this path stays while older imports move. */
export * from '../util/fs.js';
