/** Operator names of the language (SEMANTICS.md, "Operators"). */
export const OP_NAMES = [
  'Add', 'Sub', 'Mul', 'Div', 'Neg', 'Log', 'Exp', 'Abs', 'Sqrt', 'Sin', 'Cos', 'Tanh', 'Relu',
  'Softplus', 'Sig', 'Serf', 'Salf', 'Sgdf', 'Softmax', 'Dot',
] as const;
export type OpName = (typeof OP_NAMES)[number];

export function isOpName(s: string): s is OpName {
  return (OP_NAMES as readonly string[]).includes(s);
}
