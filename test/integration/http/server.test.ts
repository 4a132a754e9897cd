import { Agent, request } from 'node:http';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { startHttpServer, type HealthReport, type HttpServer, type HttpServerOptions } from '../../../src/http/server.js';
import { createMetrics } from '../../../src/observability/metrics.js';

const started: HttpServer[] = [];

afterEach(async () => {
  await Promise.all(started.splice(0).map((s) => s.close()));
});

async function start(overrides: Partial<HttpServerOptions> = {}): Promise<HttpServer> {
  const metrics = createMetrics({ defaultMetrics: false });
  const server = await startHttpServer({
    host: '127.0.0.1',
    port: 0,
    logger: pino({ level: 'silent' }),
    health: () => ({ ok: true }),
    ready: async () => ({ ok: true }),
    metrics: () => metrics.render(),
    ...overrides,
  });
  started.push(server);
  return server;
}

describe('http server', () => {
  it('answers /healthz with 200 when healthy and 503 when not, never cached', async () => {
    let report: HealthReport = { ok: true, drains: 3 };
    const server = await start({ health: () => report });
    const healthy = await fetch(`${server.url}/healthz`);
    expect(healthy.status).toBe(200);
    expect(healthy.headers.get('cache-control')).toBe('no-store');
    expect(healthy.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await healthy.json()).toEqual({ ok: true, drains: 3 });

    report = { ok: false, reason: 'scheduler stopped' };
    const unhealthy = await fetch(`${server.url}/healthz?verbose=1`);
    expect(unhealthy.status).toBe(503);
    expect(await unhealthy.json()).toEqual({ ok: false, reason: 'scheduler stopped' });
  });

  it('answers /readyz with the report of ready(): 200 when ok, 503 when not', async () => {
    let ok = true;
    const server = await start({ ready: async () => ({ ok, cursor: ok ? 'reachable' : 'unreachable' }) });
    const ready = await fetch(`${server.url}/readyz`);
    expect(ready.status).toBe(200);
    expect(ready.headers.get('cache-control')).toBe('no-store');
    expect(await ready.json()).toEqual({ ok: true, cursor: 'reachable' });
    ok = false;
    expect((await fetch(`${server.url}/readyz`)).status).toBe(503);
  });

  it('answers /readyz with 503 and the reason when ready() rejects', async () => {
    const server = await start({ ready: async () => { throw new Error('redis is unreachable'); } });
    const response = await fetch(`${server.url}/readyz`);
    expect(response.status).toBe(503);
    expect(await response.json()).toEqual({ ok: false, reason: 'redis is unreachable' });
  });

  it('answers /readyz with 503 when ready() takes longer than the timeout', async () => {
    const server = await start({ ready: () => new Promise<HealthReport>(() => {}), readyTimeoutMs: 50 });
    const began = Date.now();
    const response = await fetch(`${server.url}/readyz`);
    expect(response.status).toBe(503);
    expect(await response.json()).toEqual({ ok: false, reason: 'readiness check took longer than 50 ms' });
    expect(Date.now() - began).toBeLessThan(1000);
  });

  it('serves /metrics in the Prometheus text format', async () => {
    const metrics = createMetrics({ defaultMetrics: false });
    metrics.observeRequest(429);
    const server = await start({ metrics: () => metrics.render() });
    const response = await fetch(`${server.url}/metrics`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(await response.text()).toContain('workos_events_sync_rate_limited_total 1');
  });

  it('answers HEAD like GET but without a body', async () => {
    const server = await start();
    const response = await fetch(`${server.url}/healthz`, { method: 'HEAD' });
    expect(response.status).toBe(200);
    expect(Number(response.headers.get('content-length'))).toBeGreaterThan(0);
    expect(await response.text()).toBe('');
  });

  it('answers 404 in JSON for an unknown path', async () => {
    const server = await start();
    const response = await fetch(`${server.url}/nope?x=1`);
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({ error: 'not found' });
  });

  it('answers 405 with Allow for a method other than GET or HEAD on a built-in route', async () => {
    const server = await start();
    const response = await fetch(`${server.url}/metrics`, { method: 'POST', body: 'x' });
    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toBe('GET, HEAD');
  });

  it('hands an extra route every method and lets its handler own the response', async () => {
    const server = await start({
      routes: {
        '/webhooks/workos': async (req, res) => {
          let body = '';
          for await (const chunk of req) body += String(chunk);
          res.writeHead(202, { 'Content-Type': 'text/plain' }).end(`${req.method} ${body.length}`);
        },
      },
    });
    const response = await fetch(`${server.url}/webhooks/workos?source=test`, { method: 'POST', body: 'hello' });
    expect(response.status).toBe(202);
    expect(await response.text()).toBe('POST 5');
  });

  it('answers 500 when a handler throws, and keeps serving', async () => {
    const server = await start({
      health: () => { throw new Error('boom'); },
      routes: { '/sync-throw': () => { throw new Error('sync boom'); } },
    });
    const failed = await fetch(`${server.url}/healthz`);
    expect(failed.status).toBe(500);
    expect(await failed.json()).toEqual({ error: 'internal error' });
    expect((await fetch(`${server.url}/sync-throw`)).status).toBe(500);
    expect((await fetch(`${server.url}/readyz`)).status).toBe(200);
  });

  it('refuses an extra route that would replace a built-in one', async () => {
    await expect(start({ routes: { '/metrics': () => {} } })).rejects.toThrow(/built in/);
  });

  it('closes even with an idle keep-alive connection open, and close() can be called twice', async () => {
    const server = await start();
    // A keep-alive socket left idle after its response, as Prometheus leaves them between scrapes.
    const agent = new Agent({ keepAlive: true });
    await new Promise<void>((resolve, reject) => {
      const req = request(`${server.url}/healthz`, { agent }, (res) => {
        res.resume();
        res.on('end', resolve);
      });
      req.on('error', reject);
      req.end();
    });
    const began = Date.now();
    await server.close();
    await server.close();
    agent.destroy();
    expect(Date.now() - began).toBeLessThan(500);
    await expect(fetch(`${server.url}/healthz`)).rejects.toThrow();
  });

  it('cuts a request still in flight once the close grace period is over', async () => {
    let arrived!: () => void;
    const arrival = new Promise<void>((resolve) => { arrived = resolve; });
    const server = await start({ closeGraceMs: 100, routes: { '/hang': () => arrived() } });
    const hung = fetch(`${server.url}/hang`);
    await arrival;
    const began = Date.now();
    await server.close();
    expect(Date.now() - began).toBeLessThan(1000);
    await expect(hung).rejects.toThrow();
  });
});
