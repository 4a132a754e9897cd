import { createServer, type IncomingMessage, type Server } from 'node:http';
import { WorkOS } from '@workos-inc/node';
import { pino } from 'pino';
import { afterAll } from 'vitest';
import { httpSink, httpSinkConfigSchema } from '../../src/sinks/http/http-sink.js';
import type { WorkOSEvent } from '../../src/workos/event.js';
import { describeSinkConformance } from './sink-conformance.js';

const SECRET = `whsec_conformance_${Math.random().toString(36).slice(2)}`;
/** The event type this test's receiver refuses with 400, standing in for a payload a handler rejects. */
const REJECTED_TYPE = 'reject.me';

function rawBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (text += chunk));
    req.on('end', () => resolve(text));
    req.on('error', reject);
  });
}

/**
 * The service is a webhook receiver like a user's: it verifies every request with the SDK's
 * `constructEvent` (401 when that fails), refuses the `reject.me` type with 400, and keeps each
 * body once per Idempotency-Key, in arrival order (a handler that de-duplicates, as it must).
 */
async function startReceiver(): Promise<{ server: Server; port: number; received: Map<string, Record<string, unknown>> }> {
  const workos = new WorkOS({ clientId: 'conformance-receiver' });
  const received = new Map<string, Record<string, unknown>>();
  const server = createServer((req, res) => {
    void (async () => {
      const payload = await rawBody(req);
      try {
        await workos.webhooks.constructEvent({ payload, sigHeader: String(req.headers['workos-signature']), secret: SECRET, tolerance: 60_000 });
      } catch {
        res.writeHead(401).end('signature verification failed');
        return;
      }
      const body = JSON.parse(payload) as Record<string, unknown>;
      if (body.event === REJECTED_TYPE) {
        res.writeHead(400).end('unknown event type');
        return;
      }
      const key = String(req.headers['idempotency-key']);
      if (!received.has(key)) received.set(key, body);
      res.writeHead(200).end('ok');
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.address() as { port: number }).port, received };
}

let receiverServer: Server | undefined;
afterAll(async () => {
  receiverServer?.closeAllConnections();
  await new Promise((resolve) => receiverServer?.close(resolve) ?? resolve(undefined));
});

describeSinkConformance('http', async () => {
  const receiver = await startReceiver();
  receiverServer = receiver.server;
  return {
    service: { host: '127.0.0.1', port: receiver.port },
    createSink: ({ host, port }) =>
      httpSink.create(
        httpSinkConfigSchema.parse({ type: 'http', url: `http://${host}:${port}/webhooks/workos`, secret: SECRET, timeoutMs: 2_000 }),
        'http-test',
        { logger: pino({ level: 'silent' }), stdout: process.stdout },
      ),
    // A webhook body has no `object` (the Events API adds it): put it back to compare with the page.
    readBack: async () => [...receiver.received.values()].map((body) => ({ object: 'event', ...body }) as WorkOSEvent),
    rejectedPage: () => ({ events: [{ object: 'event', id: `event_reject_${Date.now()}`, event: REJECTED_TYPE, data: {}, created_at: new Date().toISOString() }] }),
    cleanup: async () => {
      receiver.received.clear();
    },
  };
});
