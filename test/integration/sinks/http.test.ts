import { createHash } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { WorkOS } from '@workos-inc/node';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { isWesError, type WesError } from '../../../src/errors.js';
import { httpSink, httpSinkConfigSchema } from '../../../src/sinks/http/http-sink.js';
import type { Sink } from '../../../src/sinks/sink.js';
import type { WorkOSEvent } from '../../../src/workos/event.js';
import { samplePage } from '../../conformance/sink-conformance.js';
import { listenOnLoopback } from '../../support/loopback-server.js';

const SECRET = 'whsec_integration_secret';
const workos = new WorkOS({ clientId: 'integration-receiver' });

interface Received {
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}
type Answer = { status: number; headers?: Record<string, string>; body?: string } | 'reset' | 'hang';
type Responder = (request: Received, index: number) => Answer | Promise<Answer>;

/** A webhook receiver on port 0 whose answers each test scripts; it records every request. */
interface Receiver {
  readonly url: string;
  readonly requests: Received[];
  respond: Responder;
  close(): Promise<void>;
}

async function startReceiver(respond: Responder = () => ({ status: 200 })): Promise<Receiver> {
  const requests: Received[] = [];
  const receiver = { requests, respond } as Receiver;
  const server: Server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (body += chunk));
    req.on('end', () => {
      const received = { headers: req.headers, body };
      requests.push(received);
      void Promise.resolve(receiver.respond(received, requests.length - 1)).then((answer) => {
        if (answer === 'reset') req.socket.destroy();
        else if (answer !== 'hang') res.writeHead(answer.status, answer.headers).end(answer.body ?? '');
      });
    });
  });
  const { origin, close } = await listenOnLoopback(server);
  Object.assign(receiver, { url: `${origin}/webhooks/workos`, close });
  return receiver;
}

/** What the handler saw: since SDK 12, `constructEvent` gives `createdAt` as a Date. */
type Seen = { id: string; event: string; createdAt: Date };

/** The handler from WorkOS's docs, unmodified: Express-style, verifying with constructEvent. */
function webhookHandler(secret: string, parsedBody: boolean, seen: Seen[]): Responder {
  return async ({ headers, body }) => {
    try {
      const event = await workos.webhooks.constructEvent({
        payload: parsedBody ? (JSON.parse(body) as Record<string, unknown>) : body,
        sigHeader: String(headers['workos-signature']),
        secret,
      });
      seen.push({ id: event.id, event: event.event, createdAt: event.createdAt });
      return { status: 200 };
    } catch {
      return { status: 401, body: 'invalid signature' };
    }
  };
}

const receivers: Receiver[] = [];
const sinks: Sink[] = [];

async function receiver(respond?: Responder): Promise<Receiver> {
  const r = await startReceiver(respond);
  receivers.push(r);
  return r;
}

function sinkFor(url: string, extra: Record<string, unknown> = {}): Sink {
  const sink = httpSink.create(httpSinkConfigSchema.parse({ type: 'http', url, secret: SECRET, ...extra }), 'http-test', { logger: pino({ level: 'silent' }), stdout: process.stdout });
  sinks.push(sink);
  return sink;
}

async function failure(promise: Promise<unknown>): Promise<WesError> {
  const err = await promise.then(() => undefined, (e: unknown) => e);
  if (!isWesError(err)) throw new Error(`expected a WesError, got ${String(err)}`);
  return err;
}

const rejected = { code: 'WES_ERR_SINK_REJECTED', retryable: false };
const retryable = { code: 'WES_ERR_SINK_UNAVAILABLE', retryable: true };

afterEach(async () => {
  for (const sink of sinks.splice(0)) await sink.close();
  for (const r of receivers.splice(0)) await r.close();
});

describe('the http sink, as a WorkOS webhook sender', () => {
  it.each([
    ['the raw body', false],
    ['a body parsed by express.json()', true],
  ])('is accepted by an unmodified handler that verifies %s with workos.webhooks.constructEvent', async (_label, parsedBody) => {
    const seen: Seen[] = [];
    const r = await receiver(webhookHandler(SECRET, parsedBody, seen));
    const page = samplePage(20, 11);
    await sinkFor(r.url).write(page);
    expect(seen).toEqual(page.events.map((e) => ({ id: e.id, event: e.event, createdAt: new Date(e.created_at) })));
  });

  it('posts the webhook body exactly as fetched: id, event, data, created_at first, no object, context and unknown fields kept', async () => {
    const r = await receiver();
    const plain = samplePage(1, 12).events[0]!;
    const rich: WorkOSEvent = { object: 'event', id: 'event_01RICH', event: 'brand.new_type', data: { id: 'x_1', nested: { a: [1, 'two'] } }, created_at: '2026-01-15T10:30:00.000Z', context: { client_id: 'client_1' }, future_field: 42 };
    await sinkFor(r.url).write({ events: [plain, rich] });
    expect(r.requests[0]!.body).toBe(JSON.stringify({ id: plain.id, event: plain.event, data: plain.data, created_at: plain.created_at }));
    expect(r.requests[1]!.body).toBe('{"id":"event_01RICH","event":"brand.new_type","data":{"id":"x_1","nested":{"a":[1,"two"]}},"created_at":"2026-01-15T10:30:00.000Z","context":{"client_id":"client_1"},"future_field":42}');
  });

  it('sends Idempotency-Key = the event id, JSON, a millisecond WorkOS-Signature and the extra headers', async () => {
    const r = await receiver();
    const page = samplePage(3, 13);
    const before = Date.now();
    await sinkFor(r.url, { headers: { Authorization: 'Bearer receiver-token', 'X-Source': 'workos-events-sync' } }).write(page);
    expect(r.requests.map((q) => q.headers['idempotency-key'])).toEqual(page.events.map((e) => e.id));
    for (const { headers, body } of r.requests) {
      expect(headers['content-type']).toBe('application/json');
      expect(headers.authorization).toBe('Bearer receiver-token');
      expect(headers['x-source']).toBe('workos-events-sync');
      const match = /^t=(\d+), v1=([0-9a-f]{64})$/.exec(String(headers['workos-signature']));
      expect(match).not.toBeNull();
      expect(Number(match![1])).toBeGreaterThanOrEqual(before);
      expect(Number(match![1])).toBeLessThanOrEqual(Date.now());
      expect(match![2]).toBe(await workos.webhooks.computeSignature(match![1], body, SECRET));
    }
  });

  it('posts the events of a page one at a time, in order', async () => {
    let inFlight = 0;
    let maxInFlight = 0;
    const r = await receiver(async () => {
      maxInFlight = Math.max(maxInFlight, ++inFlight);
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 5));
      inFlight--;
      return { status: 204 };
    });
    const page = samplePage(30, 14);
    await sinkFor(r.url).write(page);
    expect(maxInFlight).toBe(1);
    expect(r.requests.map((q) => (JSON.parse(q.body) as { id: string }).id)).toEqual(page.events.map((e) => e.id));
  });

  it('in batch mode, posts the page as one JSON array signed over the whole body', async () => {
    const r = await receiver();
    const page = samplePage(15, 15);
    await sinkFor(r.url, { mode: 'batch' }).write(page);
    expect(r.requests).toHaveLength(1);
    const { headers, body } = r.requests[0]!;
    expect(JSON.parse(body)).toEqual(page.events.map(({ object: _o, ...rest }) => rest));
    await expect(workos.webhooks.verifyHeader({ payload: body, sigHeader: String(headers['workos-signature']), secret: SECRET })).resolves.toBe(true);
    const ids = page.events.map((e) => `${e.id}\n`).join('');
    expect(headers['idempotency-key']).toBe(`batch_${createHash('sha256').update(ids).digest('hex')}`);
  });

  it('fails as rejected, not retryable, when the handler refuses a wrong secret with 401', async () => {
    const r = await receiver(webhookHandler('whsec_the_handlers_real_secret', false, []));
    const err = await failure(sinkFor(r.url).write(samplePage(2, 16)));
    expect(err).toMatchObject(rejected);
    expect(err.message).toContain('401');
    expect(err.message).not.toContain(SECRET);
    expect(r.requests).toHaveLength(1);
  });

  it.each([400, 404, 422, 302])('fails as rejected on %i, without following a redirect', async (status) => {
    const headers: Record<string, string> = status === 302 ? { Location: '/elsewhere' } : {};
    const r = await receiver(() => ({ status, headers, body: 'no' }));
    expect(await failure(sinkFor(r.url).write(samplePage(1, 17)))).toMatchObject(rejected);
    expect(r.requests).toHaveLength(1);
  });

  it.each([500, 502, 503, 504, 408, 409])('fails as retryable on %i', async (status) => {
    const r = await receiver(() => ({ status, body: '<html>bad gateway</html>' }));
    const err = await failure(sinkFor(r.url).write(samplePage(1, 18)));
    expect(err).toMatchObject(retryable);
    expect(err.retryAfterMs).toBeUndefined();
  });

  it('fails as retryable when the receiver resets the connection', async () => {
    const r = await receiver(() => 'reset');
    expect(await failure(sinkFor(r.url).write(samplePage(1, 19)))).toMatchObject(retryable);
  });

  it('fails as retryable when nothing listens, and probe says so', async () => {
    const r = await receiver();
    const url = r.url;
    await r.close();
    const sink = sinkFor(url);
    const started = Date.now();
    expect(await failure(sink.write(samplePage(1, 20)))).toMatchObject(retryable);
    expect(await failure(sink.probe())).toMatchObject(retryable);
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it('probes by connecting only: it sends no request', async () => {
    const r = await receiver();
    await sinkFor(r.url).probe();
    expect(r.requests).toHaveLength(0);
  });

  it('honours a 429\'s Retry-After as retryAfterMs (seconds or an HTTP date, 5 s when absent)', async () => {
    const answers: Answer[] = [
      { status: 429, headers: { 'Retry-After': '7' } },
      { status: 429, headers: { 'Retry-After': new Date(Date.now() + 30_000).toUTCString() } },
      { status: 429 },
      { status: 503, headers: { 'Retry-After': '2' } },
    ];
    const r = await receiver((_q, i) => answers[i]!);
    const sink = sinkFor(r.url);
    const waits: Array<number | undefined> = [];
    for (let i = 0; i < answers.length; i++) {
      const err = await failure(sink.write(samplePage(1, 21 + i)));
      expect(err).toMatchObject(retryable);
      waits.push(err.retryAfterMs);
    }
    expect(waits[0]).toBe(7_000);
    expect(waits[1]).toBeGreaterThan(25_000);
    expect(waits[1]).toBeLessThanOrEqual(30_000);
    expect(waits[2]).toBe(5_000);
    expect(waits[3]).toBe(2_000);
  });

  it('fails as retryable when the receiver does not answer within timeoutMs', async () => {
    const r = await receiver(() => 'hang');
    const started = Date.now();
    const err = await failure(sinkFor(r.url, { timeoutMs: 300 }).write(samplePage(1, 25)));
    expect(err).toMatchObject(retryable);
    expect(err.message).toContain('timeoutMs');
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it('settles a request in flight at once when the sink closes', async () => {
    const r = await receiver(() => 'hang');
    const sink = sinkFor(r.url, { timeoutMs: 60_000 });
    const writing = failure(sink.write(samplePage(3, 26)));
    while (r.requests.length === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    const started = Date.now();
    await sink.close();
    expect(await writing).toMatchObject(retryable);
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(r.requests).toHaveLength(1);
  });

  it('when event k fails, the events before it were delivered, and the retry sends them again with the same keys', async () => {
    const page = samplePage(6, 27);
    let failNext = true;
    const r = await receiver(({ headers }) => {
      if (headers['idempotency-key'] === page.events[3]!.id && failNext) {
        failNext = false;
        return { status: 503 };
      }
      return { status: 200 };
    });
    const sink = sinkFor(r.url);
    expect(await failure(sink.write(page))).toMatchObject(retryable);
    expect(r.requests.map((q) => q.headers['idempotency-key'])).toEqual(page.events.slice(0, 4).map((e) => e.id));
    await sink.write(page);
    const keys = r.requests.map((q) => String(q.headers['idempotency-key']));
    expect(keys.slice(4)).toEqual(page.events.map((e) => e.id));
    expect([...new Set(keys)]).toEqual(page.events.map((e) => e.id));
  });
});

describe('the http sink config', () => {
  const base = { type: 'http', url: 'https://app.example.com/webhooks/workos', secret: 'whsec_x' };

  it('defaults to one POST per event with a 10 s timeout and no extra headers', () => {
    expect(httpSinkConfigSchema.parse(base)).toMatchObject({ mode: 'event', timeoutMs: 10_000, headers: {} });
  });

  it.each([
    [{ headers: { 'workos-signature': 'x' } }, ['headers', 'workos-signature']],
    [{ headers: { 'Content-Type': 'text/plain' } }, ['headers', 'Content-Type']],
    [{ headers: { 'Idempotency-Key': 'k' } }, ['headers', 'Idempotency-Key']],
    [{ headers: { 'X-Ok': 'a\r\nInjected: b' } }, ['headers', 'X-Ok']],
    [{ url: 'https://user:pass@app.example.com/hook' }, ['url']],
    [{ url: 'ftp://app.example.com/hook' }, ['url']],
    [{ secret: '' }, ['secret']],
    [{ mode: 'stream' }, ['mode']],
    [{ timeoutMs: 10 }, ['timeoutMs']],
    [{ retries: 3 }, []],
  ])('refuses %j', (override, path) => {
    const result = httpSinkConfigSchema.safeParse({ ...base, ...override });
    expect(result.success).toBe(false);
    expect(result.error!.issues[0]!.path).toEqual(path);
  });

  it('never echoes a URL or a header value back in an error: after ${VAR} substitution they may hold a token', () => {
    for (const override of [{ url: 'https://user:tok_secret@app.example.com/hook' }, { headers: { Authorization: 'Bearer tok_secret\nX: y' } }]) {
      const result = httpSinkConfigSchema.safeParse({ ...base, ...override }, { reportInput: true });
      expect(result.success).toBe(false);
      expect(JSON.stringify(result.error!.issues)).not.toContain('tok_secret');
    }
  });

  it('requires the secret', () => {
    const { secret: _s, ...withoutSecret } = base;
    expect(httpSinkConfigSchema.safeParse(withoutSecret).success).toBe(false);
  });
});
