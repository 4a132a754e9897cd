import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { seedBacklog } from '../fakes/seed-backlog.js';
import { runCli, spawnCli, type CliProcess } from '../support/cli-process.js';
import { readJsonl, waitForEvents } from '../support/harness.js';
import { deliverWebhook } from '../support/webhook-delivery.js';
import { useWorld } from '../support/world.js';

const SECRET = 'whsec_test_doorbell_0123456789';
// Once a minute: anything delivered within a second came through the doorbell, not a tick.
const w = useWorld({ schedule: '0 * * * * *', leader: { ttlMs: 1000, renewIntervalMs: 300 } });
const running: CliProcess[] = [];

afterEach(async () => {
  for (const p of running.splice(0)) {
    if (p.child.exitCode === null) p.child.kill('SIGTERM');
    await p.exited;
  }
});

async function startDaemon(extra: Record<string, unknown> = {}, configPath = w.configPath, eventsFile = w.eventsFile): Promise<{ p: CliProcess; hook: string; url: string }> {
  await w.writeConfig({ schedule: '0 * * * * *', leader: { ttlMs: 1000, renewIntervalMs: 300 }, sinks: [{ type: 'jsonl', path: eventsFile }], ...extra }, configPath);
  const p = spawnCli(['run', '--config', configPath], { ...w.env, WORKOS_WEBHOOK_SECRET: SECRET });
  running.push(p);
  const url = await p.httpUrl();
  await p.waitForLog('became the leader');
  return { p, hook: `${url}/webhooks/workos`, url };
}

describe('the webhook doorbell', () => {
  it('answers each delivery for what it is, and nothing else happens for a refused one', async () => {
    const { hook } = await startDaemon({ webhook: { maxBodyBytes: 4096 } });
    const event = { id: 'event_01TEST', event: 'user.created', data: { id: 'user_1' } };
    expect((await deliverWebhook(hook, event, SECRET)).status).toBe(200);
    expect((await deliverWebhook(hook, event, SECRET, { tamper: true })).status).toBe(401);
    expect((await deliverWebhook(hook, event, 'whsec_wrong_secret')).status).toBe(401);
    expect((await deliverWebhook(hook, event, SECRET, { timestampMs: Date.now() - 10 * 60_000 })).status).toBe(401);
    expect((await deliverWebhook(hook, event, SECRET, { timestampMs: Date.now() + 10 * 60_000 })).status).toBe(401);
    const unsigned = await fetch(hook, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(event) });
    expect(unsigned.status).toBe(401);
    expect((await deliverWebhook(hook, { ...event, data: { blob: 'x'.repeat(10_000) } }, SECRET)).status).toBe(413);
    expect((await fetch(hook)).status).toBe(405);
    const metrics = await (await fetch(hook.replace('/webhooks/workos', '/metrics'))).text();
    expect(metrics).toContain('workos_events_sync_webhooks_received_total{result="accepted"} 1');
    expect(metrics).toContain('workos_events_sync_webhooks_received_total{result="unauthorized"} 5');
    expect(metrics).toContain('workos_events_sync_webhooks_received_total{result="too_large"} 1');
  });

  it('delivers an event announced by a webhook within a second, though the schedule is once a minute', async () => {
    seedBacklog(w.fake, 5, { seed: 81 });
    const { p, hook } = await startDaemon();
    await waitForEvents(w.eventsFile, 5);
    await p.waitForLog('caught up');
    const stored = w.fake.addEvent('dsync.user.created', { object: 'directory_user', id: 'directory_user_doorbell' });
    const sent = Date.now();
    expect((await deliverWebhook(hook, stored, SECRET)).status).toBe(200);
    const events = await waitForEvents(w.eventsFile, 6, 5_000);
    expect(events.at(-1)!.id).toBe(stored.id);
    expect(Date.now() - sent).toBeLessThan(1000);
  });

  it('coalesces a burst of 100 deliveries into one drain in flight plus at most one queued', async () => {
    const { p, hook } = await startDaemon();
    await new Promise((r) => setTimeout(r, 300));
    await p.waitForLog('became the leader');
    w.fake.latencyMs = 100;
    const stored = w.fake.addEvent('user.created', { object: 'user', id: 'user_burst' });
    const before = w.fake.requests.filter((r) => r.path === '/events').length;
    const answers = await Promise.all(Array.from({ length: 100 }, () => deliverWebhook(hook, stored, SECRET)));
    expect(answers.every((a) => a.status === 200)).toBe(true);
    await waitForEvents(w.eventsFile, 1, 5_000);
    await new Promise((r) => setTimeout(r, 600));
    const drains = w.fake.requests.filter((r) => r.path === '/events').length - before;
    expect(drains).toBeGreaterThanOrEqual(1);
    expect(drains).toBeLessThanOrEqual(2);
  });

  it('reports an announced event the Events API never delivers', async () => {
    const { p, url, hook } = await startDaemon({ webhook: { crossCheckAfterMs: 1000 } });
    expect((await deliverWebhook(hook, { id: 'event_01NEVER', event: 'user.deleted', data: { id: 'user_x' } }, SECRET)).status).toBe(200);
    await p.waitForLog('a webhook announced an event the Events API has not delivered', 10_000);
    expect(await (await fetch(`${url}/metrics`)).text()).toContain('workos_events_sync_webhooks_unconfirmed_total 1');
  });

  it('refuses sources outside the allowlist, reading the client address through trusted proxies', async () => {
    const { hook } = await startDaemon({ webhook: { allowedIps: ['workos'], trustedProxyHops: 1 } });
    const event = { id: 'event_01IP', event: 'user.created' };
    expect((await deliverWebhook(hook, event, SECRET)).status).toBe(403);
    expect((await deliverWebhook(hook, event, SECRET, { headers: { 'x-forwarded-for': '198.51.100.7' } })).status).toBe(403);
    expect((await deliverWebhook(hook, event, SECRET, { headers: { 'x-forwarded-for': '198.51.100.7, 3.217.146.166' } })).status).toBe(200);
  });

  it('webhook-test sends a signed sample delivery that the endpoint accepts', async () => {
    const { hook } = await startDaemon();
    const ok = await runCli(['webhook-test', '--url', hook, '--secret', SECRET], {});
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stdout).toMatch(/-> 200 OK/);
    const refused = await runCli(['webhook-test', '--url', hook, '--secret', 'whsec_wrong'], {});
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain("the secret does not match the endpoint's");
  });

  it("rings the leader when a delivery reaches a standby", async () => {
    const leader = await startDaemon({}, join(w.dir, 'a.json'), join(w.dir, 'a.jsonl'));
    await w.writeConfig({ schedule: '0 * * * * *', leader: { ttlMs: 1000, renewIntervalMs: 300 }, sinks: [{ type: 'jsonl', path: join(w.dir, 'b.jsonl') }] }, join(w.dir, 'b.json'));
    const standby = spawnCli(['run', '--config', join(w.dir, 'b.json')], { ...w.env, WORKOS_WEBHOOK_SECRET: SECRET });
    running.push(standby);
    const standbyUrl = await standby.httpUrl();
    await new Promise((r) => setTimeout(r, 500));
    const stored = w.fake.addEvent('organization.created', { object: 'organization', id: 'org_ring' });
    expect((await deliverWebhook(`${standbyUrl}/webhooks/workos`, stored, SECRET)).status).toBe(200);
    const events = await waitForEvents(join(w.dir, 'a.jsonl'), 1, 3_000);
    expect(events.map((e) => e.id)).toEqual([stored.id]);
    expect(await readJsonl(join(w.dir, 'b.jsonl'))).toEqual([]);
    expect(leader.p.child.exitCode).toBeNull();
  });
});
