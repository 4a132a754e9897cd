import { Redis } from 'ioredis';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { redisPersistence } from '../../../src/redis/redis-persistence.js';
import { tempDir } from '../../support/harness.js';
import { TestRedisServer } from '../../support/redis-server.js';

// A Redis of the test's own: its CONFIG and ACLs are changed here, never the shared one's.
let server: TestRedisServer;
let admin: Redis;

beforeAll(async () => {
  // Whatever it writes once persistence is on goes to a folder of the test's own.
  server = await TestRedisServer.start(['--dir', await tempDir('wes-redis-persistence-')]);
  admin = new Redis(server.url);
});

afterAll(async () => {
  admin.disconnect();
  await server.stop();
});

beforeEach(async () => {
  await admin.config('SET', 'save', '');
  await admin.config('SET', 'appendonly', 'no');
});

describe('redisPersistence', () => {
  it('reports a Redis that keeps nothing on disk', async () => {
    expect(await redisPersistence(admin)).toEqual({ kind: 'none' });
  });

  it('reports RDB snapshots and the append-only file as durable', async () => {
    await admin.config('SET', 'save', '3600 1');
    expect(await redisPersistence(admin)).toEqual({ kind: 'durable', appendonly: false, save: '3600 1' });
    await admin.config('SET', 'save', '');
    await admin.config('SET', 'appendonly', 'yes');
    expect(await redisPersistence(admin)).toMatchObject({ kind: 'durable', appendonly: true });
  });

  it('says it cannot tell when CONFIG is refused, as managed Redis services do, without throwing', async () => {
    await admin.acl('SETUSER', 'wes-no-config', 'on', '>wes-no-config-pw', '~*', '+@all', '-config');
    const limited = new Redis(server.url, { username: 'wes-no-config', password: 'wes-no-config-pw' });
    try {
      const answer = await redisPersistence(limited);
      expect(answer).toMatchObject({ kind: 'unknown', reason: expect.stringMatching(/NOPERM/) });
    } finally {
      limited.disconnect();
    }
  });
});
