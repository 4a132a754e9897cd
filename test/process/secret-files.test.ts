import { writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { WorkOS } from '@workos-inc/node';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { seedBacklog } from '../fakes/seed-backlog.js';
import { runCli, spawnCli, type CliProcess } from '../support/cli-process.js';
import { API_KEY } from '../support/harness.js';
import { useWorld } from '../support/world.js';
import { listenOnLoopback } from '../support/loopback-server.js';

// Secrets as Docker and Kubernetes mount them: one file each, ending in the newline `echo` leaves.
const WEBHOOK_SECRET = 'whsec_from_a_mounted_file_7c1e';
const RECEIVER_TOKEN = 'receiver-token-from-a-file-52ab';

const w = useWorld();
const running: CliProcess[] = [];

/**
 * A user's webhook route: verifies the signature with the SDK and the bearer token. Its first
 * answer is a 503 whose body quotes what it was given, as a debug page does: the daemon logs that
 * answer when it retries, which is where a secret could leak into the logs.
 */
interface Receiver {
  readonly url: string;
  readonly accepted: string[];
  refused: number;
  close(): Promise<void>;
}

async function startReceiver(): Promise<Receiver> {
  const workos = new WorkOS({ clientId: 'secret-files-test' });
  const receiver = { accepted: [] as string[], refused: 0 } as Receiver;
  let answered = 0;
  const server: Server = createServer((req, res) => {
    let payload = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (payload += chunk));
    req.on('end', () => {
      if (answered++ === 0) {
        res.writeHead(503).end(`unavailable; got authorization "${req.headers.authorization}", expected secret ${WEBHOOK_SECRET}`);
        return;
      }
      if (req.headers.authorization !== `Bearer ${RECEIVER_TOKEN}`) {
        receiver.refused++;
        res.writeHead(403).end();
        return;
      }
      workos.webhooks.constructEvent({ payload, sigHeader: String(req.headers['workos-signature']), secret: WEBHOOK_SECRET }).then(
        (event) => {
          if (!receiver.accepted.includes(event.id)) receiver.accepted.push(event.id);
          res.writeHead(200).end();
        },
        () => {
          receiver.refused++;
          res.writeHead(401).end();
        },
      );
    });
  });
  const { origin, close } = await listenOnLoopback(server);
  Object.assign(receiver, { url: `${origin}/webhooks/workos`, close });
  return receiver;
}

/** Writes each secret to a file of its own (with a trailing newline) and returns the `*_FILE` environment. */
async function secretFiles(secrets: Record<string, string>): Promise<Record<string, string>> {
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(secrets)) {
    const path = join(w.dir, name.toLowerCase());
    await writeFile(path, `${value}\n`, { mode: 0o400 });
    env[`${name}_FILE`] = path;
  }
  return env;
}

let receiver: Receiver;

beforeEach(async () => {
  receiver = await startReceiver();
});
afterEach(async () => {
  for (const p of running.splice(0)) {
    if (p.child.exitCode === null) p.child.kill('SIGTERM');
    await p.exited;
  }
  await receiver.close();
});

describe('secrets read from *_FILE', () => {
  it('drain with the API key, the webhook secret and a ${VAR} read from files, and keep them out of the logs', async () => {
    seedBacklog(w.fake, 12, { seed: 151 });
    await w.writeConfig({
      sinks: [{ type: 'http', url: receiver.url, secret: '${WORKOS_WEBHOOK_SECRET}', headers: { Authorization: 'Bearer ${RECEIVER_TOKEN}' } }],
      retry: { maxAttempts: 3, minDelayMs: 10, maxDelayMs: 20 },
      http: { enabled: false },
    });
    const files = await secretFiles({ WORKOS_API_KEY: API_KEY, WORKOS_WEBHOOK_SECRET: WEBHOOK_SECRET, RECEIVER_TOKEN });

    const result = await runCli(['once', '--config', w.configPath], { WORKOS_BASE_URL: w.fake.url, ...files });

    expect(result.code, result.stderr).toBe(0);
    // Every signature and token checked out: the trailing newline was not part of either.
    expect(receiver.refused).toBe(0);
    expect(receiver.accepted).toEqual(w.fake.events.map((e) => e.id));
    // The receiver's 503 was logged, with what it quoted scrubbed.
    expect(result.stderr).toContain('the receiver answered 503');
    expect(result.stderr).toContain('[redacted]');
    for (const secret of [WEBHOOK_SECRET, RECEIVER_TOKEN, API_KEY]) expect(result.stderr).not.toContain(secret);
  });

  it('turn on the webhook endpoint of run, and webhook-test signs with the same file', async () => {
    const files = await secretFiles({ WORKOS_API_KEY: API_KEY, WORKOS_WEBHOOK_SECRET: WEBHOOK_SECRET });
    const p = spawnCli(['run', '--config', w.configPath], { WORKOS_BASE_URL: w.fake.url, ...files });
    running.push(p);
    const hook = `${await p.httpUrl()}/webhooks/workos`;

    const ok = await runCli(['webhook-test', '--url', hook], { WORKOS_WEBHOOK_SECRET_FILE: files.WORKOS_WEBHOOK_SECRET_FILE! });
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stdout).toMatch(/-> 200 OK/);

    const missing = await runCli(['webhook-test', '--url', hook], { WORKOS_WEBHOOK_SECRET_FILE: join(w.dir, 'no-such-secret') });
    expect(missing.code).toBe(78);
    expect(missing.stderr).toBe(`workos-events-sync: WORKOS_WEBHOOK_SECRET_FILE: ${join(w.dir, 'no-such-secret')} does not exist\n`);
  });
});
