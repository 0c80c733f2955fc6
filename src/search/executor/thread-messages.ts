/** Messages between a thread pool and its worker threads. */
import type { Job } from './types.js';

export interface ThreadRequest {
  readonly id: number;
  readonly job: Job;
}

export type ThreadReply =
  | { readonly id: number; readonly ok: true; readonly result: unknown; readonly seconds: number }
  | { readonly id: number; readonly ok: false; readonly message: string; readonly stack?: string; readonly userFacing: boolean };
