import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { seedBacklog } from '../fakes/seed-backlog.js';
import { uniqueInOrder } from '../support/harness.js';
import { TestRedisServer } from '../support/redis-server.js';
import { deliveredBy, leaderOf, startReplica, stopReplicas, waitForDistinct, type Replica } from '../support/replicas.js';
import { useWorld } from '../support/world.js';

// Two replicas on a Redis of the test's own that keeps nothing on disk, as in the README's
// production topology without persistence: a restart of that Redis empties cursor and lease.
const PAGE_SIZE = 50;
const LEASE = { ttlMs: 1000, renewIntervalMs: 300 };
const w = useWorld();
const replicas: Replica[] = [];
let redis: TestRedisServer | undefined;
let client: Redis | undefined;

/** One more `run` replica on the test's Redis. */
async function addReplica(startFrom: string): Promise<Replica> {
  const config = { pageSize: PAGE_SIZE, schedule: '* * * * * *', startFrom, leader: LEASE, cursor: { store: 'redis', url: redis!.url, key: w.cursorKey } };
  const replica = await startReplica(w, `replica-${replicas.length}`, config);
  replicas.push(replica);
  return replica;
}

async function deployment(startFrom: string): Promise<[Replica, Replica]> {
  redis = await TestRedisServer.start();
  client = new Redis(redis.url, { maxRetriesPerRequest: 1 });
  // The test stops this Redis on purpose: the client reconnects by itself.
  client.on('error', () => undefined);
  return [await addReplica(startFrom), await addReplica(startFrom)];
}

async function waitForLeader(among: readonly Replica[]): Promise<Replica> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const leader = await leaderOf(client!, `${w.cursorKey}:leader`, among).catch(() => undefined);
    if (leader) return leader;
    if (Date.now() > deadline) throw new Error('no replica took the lease');
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function until(condition: () => Promise<boolean>, what: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

afterEach(async () => {
  await stopReplicas(replicas.splice(0));
  client?.disconnect();
  await redis?.stop();
  redis = undefined;
});

describe('a Redis restarted empty under two replicas', () => {
  it('does not make the new leader start over from "earliest" while the old one is paused', async () => {
    seedBacklog(w.fake, 600, { seed: 41 });
    const [a, b] = await deployment('earliest');
    await waitForDistinct([a, b], 600);
    const leader = await waitForLeader([a, b]);
    const standby = leader === a ? b : a;
    // Let the standby read the final cursor in one of its rounds.
    await new Promise((r) => setTimeout(r, LEASE.renewIntervalMs * 3));
    leader.process.child.kill('SIGSTOP');
    await redis!.stop();
    await redis!.restart();
    await standby.process.waitForLog('became the leader', 10_000);
    seedBacklog(w.fake, 100, { seed: 42 });
    await waitForDistinct([a, b], 700);
    leader.process.child.kill('SIGCONT');
    await new Promise((r) => setTimeout(r, LEASE.ttlMs));

    const all = await deliveredBy([a, b]);
    expect(uniqueInOrder(all).ids.sort()).toEqual(w.fake.events.map((e) => e.id).sort());
    // Before the fix the new leader delivered all 600 again; now nothing of the first 600.
    expect(all.length - 700).toBe(0);
    // Restored by the standby in its lease round, or (if that round met Redis still reconnecting)
    // by the same instance as it drains once elected: either way logged at error and counted.
    expect(standby.process.stderr()).toMatch(/"level":50.*restor(ed|ing) the freshest cursor/);
    const metrics = await fetch(`${await standby.process.httpUrl()}/metrics`).then((r) => r.text());
    const restored = [...metrics.matchAll(/workos_events_sync_cursor_restored_total\{by="(?:standby|drain)"\} (\d+)/g)].reduce((n, m) => n + Number(m[1]), 0);
    expect(restored).toBeGreaterThanOrEqual(1);
  });

  it('skips none of the events created while Redis was down, with startFrom "now"', async () => {
    const [a, b] = await deployment('now');
    await until(async () => (await client!.get(w.cursorKey)) !== null, 'the pinned start position');
    seedBacklog(w.fake, 200, { seed: 43 });
    await waitForDistinct([a, b], 200);
    const leader = await waitForLeader([a, b]);
    const standby = leader === a ? b : a;
    await new Promise((r) => setTimeout(r, LEASE.renewIntervalMs * 3));
    leader.process.child.kill('SIGSTOP');
    await redis!.stop();
    // Created while Redis is down: before the fix the new leader started from "now" and never delivered these.
    seedBacklog(w.fake, 100, { seed: 44 });
    await new Promise((r) => setTimeout(r, 200));
    await redis!.restart();
    await standby.process.waitForLog('became the leader', 10_000);
    seedBacklog(w.fake, 100, { seed: 45 });
    await waitForDistinct([a, b], 400, 20_000);
    leader.process.child.kill('SIGCONT');
    await new Promise((r) => setTimeout(r, LEASE.ttlMs));

    const all = await deliveredBy([a, b]);
    expect(uniqueInOrder(all).ids.sort()).toEqual(w.fake.events.map((e) => e.id).sort());
    expect(all.length - 400).toBeLessThanOrEqual(PAGE_SIZE);
  });

  it('skips nothing when the leader is killed, Redis restarted empty and a new replica joins at once', async () => {
    const [a, b] = await deployment('now');
    await until(async () => (await client!.get(w.cursorKey)) !== null, 'the pinned start position');
    seedBacklog(w.fake, 200, { seed: 46 });
    await waitForDistinct([a, b], 200);
    const leader = await waitForLeader([a, b]);
    await new Promise((r) => setTimeout(r, LEASE.renewIntervalMs * 3));
    leader.process.child.kill('SIGKILL');
    await leader.process.exited;
    await redis!.stop();
    seedBacklog(w.fake, 100, { seed: 47 });
    await redis!.restart();
    // A fresh replica that has never seen a cursor races the surviving standby for the empty store.
    await addReplica('now');
    await waitForDistinct(replicas, 300, 20_000);
    seedBacklog(w.fake, 50, { seed: 48 });
    await waitForDistinct(replicas, 350, 20_000);

    const all = await deliveredBy(replicas);
    expect(uniqueInOrder(all).ids.sort()).toEqual(w.fake.events.map((e) => e.id).sort());
    expect(all.length - 350).toBeLessThanOrEqual(2 * PAGE_SIZE);
  });
});
