import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import pg from 'pg';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { seedBacklog } from '../fakes/seed-backlog.js';
import { runCli, spawnCli, type CliProcess } from '../support/cli-process.js';
import { POSTGRES_URL, readJsonl, waitForEvents } from '../support/harness.js';
import { keysMatching } from '../support/redis-keys.js';
import { useWorld } from '../support/world.js';

const SECRET = 'whsec_lanes_test_secret';
const w = useWorld({ pageSize: 25, schedule: '* * * * * *', leader: { ttlMs: 1000, renewIntervalMs: 300 } });
const admin = new pg.Pool({ connectionString: POSTGRES_URL, max: 2 });
const running: CliProcess[] = [];
const closers: Array<() => Promise<void>> = [];

interface Receiver {
  readonly url: string;
  /** Event ids in the order their POST was answered 200. */
  readonly accepted: string[];
  /** While true, every POST is answered 503. */
  down: boolean;
  /** Called before a POST is answered; a non-empty answer is recorded as a violation. */
  check?: (id: string) => string | undefined;
  readonly violations: string[];
}

/** A webhook receiver that answers in `delayMs`, records what it accepted, and can be taken down. */
async function startReceiver(delayMs = 0): Promise<Receiver> {
  const receiver: Receiver = { url: '', accepted: [], down: false, violations: [] };
  const server: Server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (body += chunk));
    req.on('end', () => {
      const { id } = JSON.parse(body) as { id: string };
      setTimeout(() => {
        if (receiver.down) {
          res.writeHead(503).end();
          return;
        }
        const problem = receiver.check?.(id);
        if (problem) receiver.violations.push(problem);
        receiver.accepted.push(id);
        res.writeHead(200).end();
      }, delayMs);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  Object.assign(receiver, { url: `http://127.0.0.1:${(server.address() as { port: number }).port}/webhooks` });
  closers.push(() => {
    server.closeAllConnections();
    return new Promise<void>((resolve) => server.close(() => resolve()));
  });
  return receiver;
}

function start(args: string[]): CliProcess {
  const p = spawnCli(args, w.env);
  running.push(p);
  return p;
}

async function until(condition: () => boolean | Promise<boolean>, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Each id once, in the order first accepted. */
function distinct(ids: readonly string[]): string[] {
  return [...new Set(ids)];
}

afterEach(async () => {
  for (const p of running.splice(0)) {
    if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGTERM');
    await p.exited;
  }
  for (const close of closers.splice(0)) await close();
});
afterAll(async () => {
  await admin.end();
});

describe('each sink at its own pace', () => {
  it('keeps a postgres sink in pace while an http receiver is down; the http sink then catches up in order, with no dead letters', async () => {
    const receiver = await startReceiver();
    receiver.down = true;
    const table = `lanes_${randomBytes(5).toString('hex')}`;
    closers.push(async () => void (await admin.query(`drop table if exists public."${table}", public."${table}_migrations", public."${table}_positions"`)));
    await w.writeConfig({
      pageSize: 25,
      schedule: '* * * * * *',
      retry: { maxAttempts: 2, minDelayMs: 50, maxDelayMs: 300 },
      sinks: [
        { type: 'http', name: 'webhooks', url: receiver.url, secret: SECRET },
        { type: 'postgres', name: 'warehouse', url: POSTGRES_URL, table },
      ],
    });
    seedBacklog(w.fake, 200, { seed: 61 });
    const p = start(['run', '--config', w.configPath]);
    const count = async () => Number((await admin.query<{ n: string }>(`select count(*) as n from public."${table}"`).catch(() => ({ rows: [{ n: '0' }] }))).rows[0]!.n);
    await until(async () => (await count()) === 200, 'the postgres sink to have the backlog while the receiver is down');
    await p.waitForLog('sink halted');
    expect(receiver.accepted).toEqual([]);
    // New events while the receiver is still down reach Postgres too.
    seedBacklog(w.fake, 50, { seed: 62 });
    await until(async () => (await count()) === 250, 'the postgres sink to keep pace');
    expect(receiver.accepted).toEqual([]);
    // Readiness and the metrics say which sink is behind, by how many events and how long.
    const url = await p.httpUrl();
    const ready = (await (await fetch(`${url}/readyz`)).json()) as { sinks: Record<string, { events_behind: number | null; lag_seconds: number | null; halted: boolean }> };
    expect(ready.sinks.webhooks).toMatchObject({ events_behind: 250, halted: true });
    expect(ready.sinks.warehouse).toMatchObject({ events_behind: 0, halted: false });
    const metrics = await (await fetch(`${url}/metrics`)).text();
    expect(metrics).toContain('workos_events_sync_sink_events_behind{sink="webhooks"} 250');
    expect(metrics).toMatch(/workos_events_sync_sink_lag_seconds\{sink="warehouse"\} \d/);

    receiver.down = false;
    await until(() => distinct(receiver.accepted).length === 250, 'the http sink to catch up');
    expect(distinct(receiver.accepted)).toEqual(w.fake.events.map((e) => e.id));
    await p.waitForLog('sink accepts pages again');
    expect(await keysMatching(w.redis, `${w.cursorKey}:dlq*`)).toEqual([]);
    const { rows } = await admin.query<{ id: string }>(`select id from public."${table}" order by created_at, id`);
    expect(rows.map((r) => r.id).sort()).toEqual(w.fake.events.map((e) => e.id).sort());
  });

  it('backfills a sink added to a running deployment from its own startFrom, while the other stays live', async () => {
    const archive = `${w.dir}/archive.jsonl`;
    const added = `${w.dir}/added.jsonl`;
    seedBacklog(w.fake, 300, { seed: 63 });
    await w.writeConfig({ pageSize: 25, schedule: '* * * * * *', sinks: [{ type: 'jsonl', name: 'archive', path: archive }] });
    expect((await runCli(['once', '--config', w.configPath], w.env)).code).toBe(0);
    expect(await readJsonl(archive)).toHaveLength(300);

    await w.writeConfig({
      pageSize: 25,
      schedule: '* * * * * *',
      sinks: [{ type: 'jsonl', name: 'archive', path: archive }, { type: 'jsonl', name: 'added', path: added, startFrom: 'earliest' }],
    });
    const check = await runCli(['check', '--config', w.configPath], w.env);
    expect(check.stdout).toMatch(/cursor archive +resumes after /);
    expect(check.stdout).toMatch(/cursor added +no position yet: will start from the oldest event WorkOS retains/);
    const p = start(['run', '--config', w.configPath]);
    seedBacklog(w.fake, 20, { seed: 64 });
    await waitForEvents(added, 320);
    await waitForEvents(archive, 320);
    await p.waitForLog('caught up');
    // The archive got only the new events, once; the added sink the whole history, in order.
    expect((await readJsonl(archive)).map((e) => e.id)).toEqual(w.fake.events.map((e) => e.id));
    expect((await readJsonl(added)).map((e) => e.id)).toEqual(w.fake.events.map((e) => e.id));
  });

  it('re-sends from a time to one sink only with --from --sink, and moves one sink with cursor set|reset --sink', async () => {
    const a = `${w.dir}/a.jsonl`;
    const b = `${w.dir}/b.jsonl`;
    const start = Date.now() - 3_600_000;
    seedBacklog(w.fake, 100, { seed: 65, start: new Date(start), spacingMs: 10_000 });
    await w.writeConfig({ pageSize: 25, sinks: [{ type: 'jsonl', name: 'a', path: a }, { type: 'jsonl', name: 'b', path: b }] });
    expect((await runCli(['once', '--config', w.configPath], w.env)).code).toBe(0);
    const from = new Date(start + 50 * 10_000).toISOString();
    const replay = await runCli(['once', '--from', from, '--sink', 'b', '--config', w.configPath], w.env);
    expect(replay.code, replay.stderr).toBe(0);
    expect((await readJsonl(a)).map((e) => e.id)).toEqual(w.fake.events.map((e) => e.id));
    expect((await readJsonl(b)).map((e) => e.id)).toEqual([...w.fake.events, ...w.fake.events.slice(50)].map((e) => e.id));
    const shown = JSON.parse((await runCli(['cursor', 'show', '--sink', 'b', '--config', w.configPath], w.env)).stdout) as { cursor: { id: string } };
    expect(shown.cursor.id).toBe(w.fake.events.at(-1)!.id);
    // cursor set and reset move one sink too, and leave the other where it is.
    const show = async () => JSON.parse((await runCli(['cursor', 'show', '--config', w.configPath], w.env)).stdout) as { sinks: Record<string, { cursor: { id: string | null } | null; source: string }> };
    expect((await runCli(['cursor', 'set', w.fake.events[9]!.id, '--sink', 'a', '--config', w.configPath], w.env)).code).toBe(0);
    expect((await runCli(['cursor', 'reset', '--sink', 'b', '--config', w.configPath], w.env)).code).toBe(0);
    const moved = await show();
    expect(moved.sinks.a!.cursor?.id).toBe(w.fake.events[9]!.id);
    expect(moved.sinks.b).toEqual({ cursor: null, source: 'none' });
    const unknown = await runCli(['once', '--from', from, '--sink', 'nope', '--config', w.configPath], w.env);
    expect(unknown.code).toBe(78);
    expect(unknown.stderr).toContain('--sink: no sink is named "nope"');
  });

  it('never hands a sink with "after" an event its upstream sink has not committed', async () => {
    // The upstream is slow (20 ms per event), the dependent fast: left alone, the dependent would run ahead.
    const upstream = await startReceiver(20);
    const dependent = await startReceiver();
    dependent.check = (id) => (upstream.accepted.includes(id) ? undefined : `${id} reached the dependent before the upstream accepted it`);
    seedBacklog(w.fake, 150, { seed: 66 });
    await w.writeConfig({
      pageSize: 25,
      schedule: '* * * * * *',
      sinks: [
        { type: 'http', name: 'mirror', url: upstream.url, secret: SECRET },
        { type: 'http', name: 'handler', url: dependent.url, secret: SECRET, after: 'mirror' },
      ],
    });
    const p = start(['run', '--config', w.configPath]);
    await until(() => distinct(dependent.accepted).length === 150, 'the dependent sink to receive every event');
    seedBacklog(w.fake, 30, { seed: 67 });
    await until(() => distinct(dependent.accepted).length === 180, 'the dependent sink to receive the new events');
    expect(dependent.violations).toEqual([]);
    expect(distinct(dependent.accepted)).toEqual(w.fake.events.map((e) => e.id));
    expect(p.stderr()).not.toContain('"level":50');

    const refused = await runCli(['check', '--config', w.configPath], w.env);
    expect(refused.code).toBe(0);
    await w.writeConfig({ sinks: [{ type: 'jsonl', name: 'x', path: `${w.dir}/x.jsonl`, after: 'y' }, { type: 'jsonl', name: 'y', path: `${w.dir}/y.jsonl` }] });
    const cyclic = await runCli(['check', '--config', w.configPath], w.env);
    expect(cyclic.code).toBe(78);
    expect(cyclic.stderr).toContain('sinks[0].after: expected the name of a sink listed before this one (there is none), got "y"');
  });
});
