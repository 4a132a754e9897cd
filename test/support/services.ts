import { Redis } from 'ioredis';

// The services the tests run against, in a module of their own so that a test needing only these
// does not import the whole daemon through harness.ts (which re-exports them).

export const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379/0';
export const POSTGRES_URL = process.env.TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/** The test database's URL with other credentials, host or parameters. */
export function postgresUrlWith(change: (url: URL) => void): string {
  const url = new URL(POSTGRES_URL);
  change(url);
  return url.toString();
}

/** The test Postgres's host and port, for a TcpProxy in front of it. */
export function postgresAddress(): { host: string; port: number } {
  const url = new URL(POSTGRES_URL);
  return { host: url.hostname, port: Number(url.port || 5432) };
}

/** The test database's URL through another host and port (a TcpProxy). */
export function postgresUrlVia(address: { host: string; port: number }): string {
  return postgresUrlWith((url) => {
    url.hostname = address.host;
    url.port = String(address.port);
  });
}

/** A connected client of the test Redis that fails at once, rather than queueing, if Redis goes away. */
export async function redisClient(): Promise<Redis> {
  const redis = new Redis(REDIS_URL, { lazyConnect: true, enableOfflineQueue: false, maxRetriesPerRequest: 1 });
  await redis.connect();
  return redis;
}
