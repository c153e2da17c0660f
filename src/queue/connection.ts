// Which Redis a queue command talks to: --redis URL (redis:// or rediss://), else $AETNET_REDIS, else localhost.
import { QueueError } from "./errors.ts";

export const DEFAULT_REDIS_URL = "redis://127.0.0.1:6379";

/** BullMQ connection options for one URL. BullMQ's workers block on Redis, so requests must not give up. */
export interface RedisConnection { url: string; maxRetriesPerRequest: null; connectTimeout: number }

export function redisConnection(url: string | undefined = process.env.AETNET_REDIS): RedisConnection {
  const chosen = url ?? DEFAULT_REDIS_URL;
  let parsed: URL;
  try { parsed = new URL(chosen); } catch { throw new QueueError(`--redis: "${chosen}" is not a URL; expected redis://HOST:PORT[/DB]`); }
  if (parsed.protocol !== "redis:" && parsed.protocol !== "rediss:") {
    throw new QueueError(`--redis: "${chosen}" has scheme ${parsed.protocol}; expected redis:// or rediss://`);
  }
  return { url: chosen, maxRetriesPerRequest: null, connectTimeout: 5000 };
}

/** The URL without a password, for messages. */
export function displayUrl(url: string): string {
  const u = new URL(url);
  if (u.password) u.password = "***";
  return u.toString();
}
