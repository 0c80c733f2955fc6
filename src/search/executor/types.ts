/**
 * The contract between the search and whatever runs its work: the search
 * hands over jobs (plain JSON), an executor runs them in this thread, in
 * worker threads or as BullMQ jobs on Redis, and gives back one outcome per
 * job in the order given. A job's result depends on its payload alone (every
 * seed is in the payload), so a seeded search gives the same result whatever
 * runs its jobs.
 */

/** One unit of search work; JSON-serialisable. */
export interface Job<P = unknown> {
  /** Identifies the work: two jobs with one key have one result (a queue reuses it, across runs too). */
  readonly key: string;
  /** Which handler runs it (for example 'check' or 'proxy'). */
  readonly kind: string;
  readonly payload: P;
}

export interface JobOutcome<R = unknown> {
  readonly key: string;
  readonly result: R;
  /** Who ran it: 'main', 'thread-1', or a queue worker's name. */
  readonly worker: string;
  /** Wall seconds the handler took. */
  readonly seconds: number;
}

/** A worker's job runner: a handler module's `runJob`, or what its `createRunJob()` returns (handler.ts). */
export type RunJob = (job: Job) => Promise<unknown>;

export interface Executor {
  /** For logs: 'inline', '2 worker threads', 'queue redis://…'. */
  readonly description: string;
  /** Runs every job; outcome i belongs to job i. `onDone` fires as each finishes, in any order. */
  run<R = unknown>(jobs: readonly Job[], onDone?: (outcome: JobOutcome<R>, index: number) => void): Promise<JobOutcome<R>[]>;
  close(): Promise<void>;
}

export interface ExecutorOptions {
  /** Worker threads (1: run inline in this thread). */
  readonly workers?: number;
  /** redis://HOST:PORT: run jobs through BullMQ; `autoloss worker` processes take them. */
  readonly queue?: string;
  /** URL of the module whose `runJob` handles jobs; defaults to the search's own (`../jobs.js`). */
  readonly handlerModule?: string;
  /** Where a queue's notices go (such as: no worker is connected yet); defaults to stderr. */
  readonly log?: (line: string) => void;
}
