import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { seedBacklog } from '../fakes/seed-backlog.js';
import { spawnCli, type CliProcess } from '../support/cli-process.js';
import { readJsonl, uniqueInOrder, waitForEvents } from '../support/harness.js';
import { useWorld } from '../support/world.js';

const PAGE_SIZE = 50;
const LEASE = { ttlMs: 1000, renewIntervalMs: 300 };
const w = useWorld({ pageSize: PAGE_SIZE, schedule: '* * * * * *', leader: LEASE });

/** Two replicas sharing the cursor and the lease, each writing to a file of its own. */
async function startReplicas(): Promise<{ a: CliProcess; b: CliProcess; fileA: string; fileB: string }> {
  const fileA = join(w.dir, 'a.jsonl');
  const fileB = join(w.dir, 'b.jsonl');
  const configA = join(w.dir, 'a.json');
  const configB = join(w.dir, 'b.json');
  for (const [path, file] of [[configA, fileA], [configB, fileB]] as const) {
    await w.writeConfig({ pageSize: PAGE_SIZE, schedule: '* * * * * *', leader: LEASE, sinks: [{ type: 'jsonl', path: file }] }, path);
  }
  const a = spawnCli(['run', '--config', configA], w.env);
  await a.waitForLog('opened');
  const b = spawnCli(['run', '--config', configB], w.env);
  await b.waitForLog('opened');
  return { a, b, fileA, fileB };
}

async function leaderOf(a: CliProcess, b: CliProcess): Promise<{ leader: CliProcess; standby: CliProcess }> {
  const holder = (await w.redis.get(`${w.cursorKey}:leader`)) ?? '';
  const pid = Number(holder.split(':')[1]);
  return pid === a.child.pid ? { leader: a, standby: b } : { leader: b, standby: a };
}

async function stop(...processes: CliProcess[]): Promise<void> {
  for (const p of processes) if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGTERM');
  await Promise.all(processes.map((p) => p.exited));
}

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
      await stop(a, b);
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
      const { leader, standby } = await leaderOf(a, b);
      const before = uniqueInOrder([...(await readJsonl(fileA)), ...(await readJsonl(fileB))]).ids.length;
      expect(before).toBeLessThan(3000);
      leader.child.kill('SIGKILL');
      const killedAt = Date.now();
      await standby.waitForLog('became the leader', 10_000);
      // Lease TTL plus one renew interval, plus a little for the process's own scheduling.
      expect(Date.now() - killedAt).toBeLessThan(LEASE.ttlMs + LEASE.renewIntervalMs + 1000);
      const deadline = Date.now() + 30_000;
      while (uniqueInOrder([...(await readJsonl(fileA)), ...(await readJsonl(fileB))]).ids.length < 3000 && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 100));
      }
    } finally {
      await stop(a, b);
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
      const { leader, standby } = await leaderOf(a, b);
      leader.child.kill('SIGSTOP');
      await standby.waitForLog('became the leader', 10_000);
      await new Promise((r) => setTimeout(r, 500));
      leader.child.kill('SIGCONT');
      await leader.waitForLog(/lost the leader lease|no longer holds the leader lease/, 10_000);
      const deadline = Date.now() + 30_000;
      while (uniqueInOrder([...(await readJsonl(fileA)), ...(await readJsonl(fileB))]).ids.length < 3000 && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 100));
      }
    } finally {
      clearInterval(watch);
      await stop(a, b);
    }
    // Event ids sort in creation order: every cursor seen is at or after the one before.
    expect(cursors.length).toBeGreaterThan(10);
    expect(cursors).toEqual([...cursors].sort());
    expect((await w.storedCursor())?.id).toBe(w.fake.events.at(-1)!.id);
    expect(uniqueInOrder([...(await readJsonl(fileA)), ...(await readJsonl(fileB))]).ids.length).toBe(3000);
  });
});
