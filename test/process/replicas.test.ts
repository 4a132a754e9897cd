import { describe, expect, it } from 'vitest';
import { seedBacklog } from '../fakes/seed-backlog.js';
import type { CliProcess } from '../support/cli-process.js';
import { readJsonl, uniqueInOrder, waitForEvents } from '../support/harness.js';
import { leaderOf, startReplica, stopReplicas, type Replica } from '../support/replicas.js';
import { useWorld } from '../support/world.js';

const PAGE_SIZE = 50;
const LEASE = { ttlMs: 1000, renewIntervalMs: 300 };
const w = useWorld({ pageSize: PAGE_SIZE, schedule: '* * * * * *', leader: LEASE });
let replicas: Replica[] = [];

/** Two replicas sharing the cursor and the lease, each writing to a file of its own. */
async function startReplicas(): Promise<{ a: CliProcess; b: CliProcess; fileA: string; fileB: string }> {
  const config = { pageSize: PAGE_SIZE, schedule: '* * * * * *', leader: LEASE };
  replicas = [await startReplica(w, 'a', config), await startReplica(w, 'b', config)];
  const [a, b] = replicas as [Replica, Replica];
  return { a: a.process, b: b.process, fileA: a.file, fileB: b.file };
}

async function leader(): Promise<{ leader: CliProcess; standby: CliProcess }> {
  const held = (await leaderOf(w.redis, `${w.cursorKey}:leader`, replicas))!;
  return { leader: held.process, standby: replicas.find((r) => r !== held)!.process };
}

const stop = () => stopReplicas(replicas.splice(0));

function overlap(x: readonly { id: string }[], y: readonly { id: string }[]): number {
  const ids = new Set(x.map((e) => e.id));
  return y.filter((e) => ids.has(e.id)).length;
}

describe('two replicas on one Redis', () => {
  it('deliver every event, and no page is delivered by both', async () => {
    seedBacklog(w.fake, 1500, { seed: 21 });
    w.fake.latencyMs = 5;
    const { a, b, fileA, fileB } = await startReplicas();
    try {
      const deadline = Date.now() + 20_000;
      while (Date.now() < deadline) {
        const total = uniqueInOrder([...(await readJsonl(fileA)), ...(await readJsonl(fileB))]).ids.length;
        if (total >= 1500) break;
        await new Promise((r) => setTimeout(r, 100));
      }
    } finally {
      await stop();
    }
    const inA = await readJsonl(fileA);
    const inB = await readJsonl(fileB);
    expect(overlap(inA, inB)).toBe(0);
    expect(uniqueInOrder([...inA, ...inB]).ids.sort()).toEqual(w.fake.events.map((e) => e.id).sort());
    // Exactly one of them was the leader the whole time.
    expect([inA.length, inB.length].sort()).toEqual([0, 1500]);
  });

  it('hand over within the lease TTL when the leader is killed, losing nothing', async () => {
    seedBacklog(w.fake, 3000, { seed: 22 });
    w.fake.latencyMs = 30;
    const { a, b, fileA, fileB } = await startReplicas();
    try {
      await waitForEvents(fileA, 200, 10_000);
      const { leader: leading, standby } = await leader();
      const before = uniqueInOrder([...(await readJsonl(fileA)), ...(await readJsonl(fileB))]).ids.length;
      expect(before).toBeLessThan(3000);
      leading.child.kill('SIGKILL');
      const killedAt = Date.now();
      await standby.waitForLog('became the leader', 10_000);
      // Lease TTL plus one renew interval, plus a little for the process's own scheduling.
      expect(Date.now() - killedAt).toBeLessThan(LEASE.ttlMs + LEASE.renewIntervalMs + 1000);
      const deadline = Date.now() + 30_000;
      while (uniqueInOrder([...(await readJsonl(fileA)), ...(await readJsonl(fileB))]).ids.length < 3000 && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 100));
      }
    } finally {
      await stop();
    }
    const inA = await readJsonl(fileA);
    const inB = await readJsonl(fileB);
    expect(uniqueInOrder([...inA, ...inB]).ids.sort()).toEqual(w.fake.events.map((e) => e.id).sort());
    // Only the page in flight when the leader died can be in both files.
    expect(overlap(inA, inB)).toBeLessThanOrEqual(PAGE_SIZE);
  });

  it('refuse the commits of a paused old leader, so the cursor never moves backwards', async () => {
    seedBacklog(w.fake, 3000, { seed: 23 });
    w.fake.latencyMs = 30;
    const { a, b, fileA, fileB } = await startReplicas();
    const cursors: string[] = [];
    const watch = setInterval(() => {
      void w.storedCursor().then((c) => c?.id && cursors.push(c.id));
    }, 20);
    try {
      await waitForEvents(fileA, 200, 10_000);
      const { leader: leading, standby } = await leader();
      leading.child.kill('SIGSTOP');
      await standby.waitForLog('became the leader', 10_000);
      await new Promise((r) => setTimeout(r, 500));
      leading.child.kill('SIGCONT');
      await leading.waitForLog(/lost the leader lease|no longer holds the leader lease/, 10_000);
      const deadline = Date.now() + 30_000;
      while (uniqueInOrder([...(await readJsonl(fileA)), ...(await readJsonl(fileB))]).ids.length < 3000 && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 100));
      }
    } finally {
      clearInterval(watch);
      await stop();
    }
    // Event ids sort in creation order: every cursor seen is at or after the one before.
    expect(cursors.length).toBeGreaterThan(10);
    expect(cursors).toEqual([...cursors].sort());
    expect((await w.storedCursor())?.id).toBe(w.fake.events.at(-1)!.id);
    expect(uniqueInOrder([...(await readJsonl(fileA)), ...(await readJsonl(fileB))]).ids.length).toBe(3000);
  });
});
