import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export interface FakeWorkOSProcess {
  readonly url: string;
  /** How long the child took to build its backlog, ms. */
  readonly seedMs: number;
  readonly pid: number;
  /** Every answer from now on waits `ms` (the API's latency). */
  setLatency(ms: number): Promise<void>;
  close(): Promise<void>;
}

/**
 * Starts bench/support/fake-workos-child.ts: `store` is the test fake (test/fakes/fake-workos.ts)
 * seeded with a realistic backlog; `synthetic` builds each event from its index (for a million).
 */
export function startFakeWorkOSProcess(mode: 'store' | 'synthetic', events: number, apiKey: string): Promise<FakeWorkOSProcess> {
  const child = fork(fileURLToPath(new URL('./fake-workos-child.ts', import.meta.url)), [mode, String(events), apiKey], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`the fake WorkOS exited early (${code})`)));
    child.once('message', (message: { type: string; url: string; seedMs: number }) => {
      child.removeAllListeners('exit');
      resolve({
        url: message.url,
        seedMs: message.seedMs,
        pid: child.pid!,
        setLatency: (ms) =>
          new Promise<void>((done) => {
            child.once('message', () => done());
            child.send({ type: 'latency', ms });
          }),
        close: () =>
          new Promise<void>((done) => {
            if (child.exitCode !== null) return done();
            child.once('exit', () => done());
            child.disconnect();
          }),
      });
    });
  });
}
