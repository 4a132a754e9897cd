import { afterEach, describe, expect, it } from 'vitest';
import { seedBacklog } from '../fakes/seed-backlog.js';
import { runCli, spawnCli, type CliProcess } from '../support/cli-process.js';
import { readJsonl, uniqueInOrder } from '../support/harness.js';
import { useWorld } from '../support/world.js';

const w = useWorld({ leader: { ttlMs: 1000, renewIntervalMs: 300 } });
const running: CliProcess[] = [];
const DAY = 86_400_000;

afterEach(async () => {
  for (const p of running.splice(0)) {
    if (p.child.exitCode === null) p.child.kill('SIGTERM');
    await p.exited;
  }
});

async function ready(p: CliProcess): Promise<{ status: number; body: { problems: string[]; role: string } }> {
  const response = await fetch(`${await p.httpUrl()}/readyz`);
  return { status: response.status, body: (await response.json()) as { problems: string[]; role: string } };
}

describe('cursor health', () => {
  it('refuses a changed event filter unless told to accept it or reset', async () => {
    seedBacklog(w.fake, 50, { seed: 41 });
    await w.writeConfig({ events: ['user.created', 'dsync.user.created'] });
    expect((await runCli(['once', '--config', w.configPath], w.env)).code).toBe(0);
    const kept = await w.storedCursor();
    expect(kept?.filter).toEqual({ events: ['dsync.user.created', 'user.created'], organizationId: null });

    await w.writeConfig({ events: ['user.created'] });
    const refused = await runCli(['once', '--config', w.configPath], w.env);
    expect(refused.code).toBe(78);
    expect(refused.stderr).toContain('workos-events-sync: the cursor of sink "jsonl" was made for events [dsync.user.created, user.created], but the config now asks for events [user.created]');
    expect(refused.stderr).toContain('--accept-filter-change');
    expect(await w.storedCursor()).toEqual(kept);

    const accepted = await runCli(['once', '--accept-filter-change', '--config', w.configPath], w.env);
    expect(accepted.code).toBe(0);
    expect((await w.storedCursor())?.filter).toEqual({ events: ['user.created'], organizationId: null });

    await w.writeConfig({ events: ['organization.created'] });
    const reset = await runCli(['once', '--reset-cursor', '--config', w.configPath], w.env);
    expect(reset.code).toBe(0);
    const orgs = w.fake.events.filter((e) => e.event === 'organization.created');
    expect((await w.storedCursor())?.id).toBe(orgs.at(-1)!.id);
  });

  it('reports a stale cursor on readiness and metrics, keeps running, and recovers with --from', async () => {
    const start = new Date(Date.now() - 2 * DAY);
    seedBacklog(w.fake, 40, { seed: 42, start, spacingMs: 60_000 });
    const last = w.fake.events.at(-1)!;
    // A cursor whose event is 40 days old: WorkOS would no longer have what came after it.
    await runCli(['cursor', 'set', last.id, '--created-at', new Date(Date.now() - 40 * DAY).toISOString(), '--config', w.configPath], w.env);
    const p = spawnCli(['run', '--config', w.configPath], w.env);
    running.push(p);
    await p.waitForLog('is older than cursor.maxAgeDays');
    const { status, body } = await ready(p);
    expect(status).toBe(503);
    expect(body.problems.join('\n')).toMatch(/the cursor of sink jsonl .* is older than cursor\.maxAgeDays: recover with "run --from <ISO time> --sink jsonl"/);
    expect(await (await fetch(`${await p.httpUrl()}/metrics`)).text()).toContain('workos_events_sync_cursor_stale 1');
    expect(p.child.exitCode).toBeNull();
    p.child.kill('SIGTERM');
    expect((await p.exited).code).toBe(0);

    const recover = await runCli(['once', '--from', new Date(start.getTime() - DAY).toISOString(), '--config', w.configPath], w.env);
    expect(recover.code).toBe(0);
    expect(uniqueInOrder(await readJsonl(w.eventsFile)).ids).toEqual(w.fake.events.map((e) => e.id));
    expect(await w.storedCursor()).toMatchObject({ id: last.id, createdAt: last.created_at });
    expect(w.fake.requests.some((r) => r.query.get('range_start') && !r.query.get('after'))).toBe(true);
  });

  it('refuses --from a time after the cursor, which would skip events', async () => {
    seedBacklog(w.fake, 10, { seed: 43, start: new Date(Date.now() - DAY) });
    expect((await runCli(['once', '--config', w.configPath], w.env)).code).toBe(0);
    const result = await runCli(['once', '--from', new Date().toISOString(), '--config', w.configPath], w.env);
    expect(result.code).toBe(78);
    expect(result.stderr).toContain('is after the cursor of sink "jsonl"');
  });

  it('reports a server that ignores the cursor on readiness and metrics, and keeps running', async () => {
    seedBacklog(w.fake, 30, { seed: 44 });
    expect((await runCli(['once', '--config', w.configPath], w.env)).code).toBe(0);
    seedBacklog(w.fake, 5, { seed: 45 });
    w.fake.ignoreCursor = true;
    const p = spawnCli(['run', '--config', w.configPath], w.env);
    running.push(p);
    await p.waitForLog('WorkOS returned events out of order');
    const { status, body } = await ready(p);
    expect(status).toBe(503);
    expect(body.problems).toContain('WorkOS returned events out of order: the server may be ignoring the cursor');
    expect(await (await fetch(`${await p.httpUrl()}/metrics`)).text()).toMatch(/workos_events_sync_order_violations_total [1-9]/);
    expect(await readJsonl(w.eventsFile)).toHaveLength(30);
  });
});
