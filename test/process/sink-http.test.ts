import { createServer, type Server } from 'node:http';
import { WorkOS } from '@workos-inc/node';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startFakeWorkOS, type FakeWorkOS } from '../fakes/fake-workos.js';
import { seedBacklog } from '../fakes/seed-backlog.js';
import { runCli } from '../support/cli-process.js';
import { copyExampleConfig } from '../support/example-config.js';
import { API_KEY, tempDir } from '../support/harness.js';
import { listenOnLoopback } from '../support/loopback-server.js';

const SECRET = 'whsec_process_test_secret_3f9a';

/** A user's webhook route: verifies with the SDK (401 on failure), keeps each event once, in arrival order. */
interface Handler {
  readonly url: string;
  readonly accepted: string[];
  refused: number;
  close(): Promise<void>;
}

async function startHandler(): Promise<Handler> {
  const workos = new WorkOS({ clientId: 'process-test-handler' });
  const handler = { accepted: [] as string[], refused: 0 } as Handler;
  const server: Server = createServer((req, res) => {
    let payload = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (payload += chunk));
    req.on('end', () => {
      workos.webhooks.constructEvent({ payload, sigHeader: String(req.headers['workos-signature']), secret: SECRET }).then(
        (event) => {
          if (!handler.accepted.includes(event.id)) handler.accepted.push(event.id);
          res.writeHead(200).end();
        },
        () => {
          handler.refused++;
          res.writeHead(401).end();
        },
      );
    });
  });
  const { origin, close } = await listenOnLoopback(server);
  Object.assign(handler, { url: `${origin}`, close });
  return handler;
}

let fake: FakeWorkOS;
let handler: Handler;

beforeEach(async () => {
  fake = await startFakeWorkOS();
  handler = await startHandler();
});
afterEach(async () => {
  await fake.close();
  await handler.close();
});

describe('the http sink, as a new user runs it', () => {
  it('delivers a backlog from the fake WorkOS to a handler that verifies with constructEvent, with examples/http.json', async () => {
    const dir = await tempDir();
    const configPath = await copyExampleConfig<{ url: string }>('http.json', dir, (sink, config) => {
      // The example points at an app on port 3000; this test's handler listens elsewhere, same route.
      sink.url = `${handler.url}${new URL(sink.url).pathname}`;
      config.http = { enabled: false };
    });
    seedBacklog(fake, 230, { seed: 71 });

    const result = await runCli(['once', '--config', configPath], { WORKOS_API_KEY: API_KEY, WORKOS_BASE_URL: fake.url, WORKOS_WEBHOOK_SECRET: SECRET });

    expect(result.code, result.stderr).toBe(0);
    expect(handler.refused).toBe(0);
    expect(handler.accepted).toEqual(fake.events.map((e) => e.id));
    expect(result.stderr).not.toContain(SECRET);
  });
});
