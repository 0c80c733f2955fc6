/** Seeded randomness and valid points for the symbolic property tests. */
import { randomValidInputs } from '../../../src/symbolic/valid-points.js';
import { makeRng as seededUniform } from '../../../src/util/rng.js';

export type Rng = () => number;
export const seededRng = seededUniform;
export const randomInputs = randomValidInputs;
