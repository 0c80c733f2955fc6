/** Seeded randomness and valid points for the symbolic property tests. */
import { randomValidInputs, seededUniform } from '../../../src/symbolic/valid-points.js';

export type Rng = () => number;
export const seededRng = seededUniform;
export const randomInputs = randomValidInputs;
