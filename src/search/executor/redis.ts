/**
 * Redis connections for the queue: the URL check, a start-up probe that
 * fails within seconds (ioredis alone retries forever), and the options
 * BullMQ's long-lived connections use once the server is known to answer.
 */
import { createHash } from 'node:crypto';
import { Redis } from 'ioredis';
import { UserError } from '../../util/errors.js';

/** The BullMQ queue every search job goes through (Redis keys `bull:autoloss:*`). */
export const QUEUE_NAME = 'autoloss';

/** How long start-up waits for Redis before giving up. */
const PROBE_MS = 3000;

/** Where Redis is: options both ioredis and BullMQ take. */
export interface RedisTarget {
  readonly host: string;
  readonly port: number;
  readonly db: number;
  readonly username?: string;
  readonly password?: string;
  readonly tls?: object;
  readonly maxRetriesPerRequest: null;
}

/** Connection options for a `redis://[user:password@]host:port[/db]` URL; a bad URL is refused naming `flag`. */
export function redisOptions(url: string, flag = '--queue'): RedisTarget {
  const bad = (why: string): never => {
    throw new UserError(`${flag} ${url}: ${why} (expected redis://HOST:PORT)`);
  };
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return bad('not a URL');
  }
  if (u.protocol !== 'redis:' && u.protocol !== 'rediss:') bad(`the scheme is ${u.protocol.replace(/:$/, '')}, not redis`);
  if (!u.hostname) bad('no host');
  const port = u.port === '' ? 6379 : Number(u.port);
  if (!Number.isInteger(port) || port < 1 || port > 65535) bad(`bad port ${u.port}`);
  const path = u.pathname.replace(/^\//, '');
  const db = path === '' ? 0 : Number(path);
  if (!Number.isInteger(db) || db < 0) bad(`the path /${path} is not a database number`);
  if (u.search || u.hash) bad('no query or fragment is allowed');
  return {
    host: u.hostname.replace(/^\[(.*)\]$/, '$1'),
    port,
    db,
    ...(u.username ? { username: decodeURIComponent(u.username) } : {}),
    ...(u.password ? { password: decodeURIComponent(u.password) } : {}),
    ...(u.protocol === 'rediss:' ? { tls: {} } : {}),
    // BullMQ's blocking connections need this; they reconnect after a blip once started.
    maxRetriesPerRequest: null,
  };
}

/** Checks that Redis answers at `url` within a few seconds; otherwise a UserError naming the URL. */
export async function probeRedis(url: string, flag = '--queue'): Promise<void> {
  const client = new Redis({ ...redisOptions(url, flag), lazyConnect: true, connectTimeout: PROBE_MS, commandTimeout: PROBE_MS, retryStrategy: () => null, maxRetriesPerRequest: 0, enableOfflineQueue: false });
  let last: Error | undefined;
  client.on('error', (e: Error) => {
    last = e;
  });
  try {
    await client.connect();
    const pong = await client.ping();
    if (pong !== 'PONG') throw new Error(`PING answered ${pong}`);
  } catch (e) {
    const why = (last ?? (e as Error)).message;
    throw new UserError(`${flag} ${url}: cannot reach Redis there (${/Protocol error/.test(why) ? 'what answers there is not Redis' : why})`);
  } finally {
    client.disconnect();
  }
}

/**
 * The BullMQ job id of a job key: the key itself when BullMQ accepts it as an
 * id (no ':', not an integer), else a digest of it.
 */
export function jobIdOf(key: string): string {
  if (/^[A-Za-z0-9_.-]+$/.test(key) && !/^\d+$/.test(key)) return key;
  return `sha256-${createHash('sha256').update(key).digest('hex')}`;
}

/** What a queue worker stores as a job's return value. */
export interface StoredResult {
  readonly result: unknown;
  readonly worker: string;
  readonly seconds: number;
}

/** What a queue worker stores as progress before a job fails, so that the coordinator can tell bad input from a bug. */
export interface StoredFailure {
  readonly failure: { readonly worker: string; readonly userFacing: boolean; readonly message: string };
}

/** The data of a queued job: the search's job as given. */
export interface QueuedJob {
  readonly key: string;
  readonly kind: string;
  readonly payload: unknown;
}
