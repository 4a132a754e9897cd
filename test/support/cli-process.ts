import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** The built CLI: process tests run what users run (`npm test` builds first). */
export const CLI = fileURLToPath(new URL('../../dist/cli.js', import.meta.url));

export interface CliProcess {
  readonly child: ChildProcess;
  stdout(): string;
  stderr(): string;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Resolves once stderr (the logs) contains `text`. */
  waitForLog(text: string | RegExp, timeoutMs?: number): Promise<void>;
  /** The health server's base URL, from its "listening" log line. */
  httpUrl(): Promise<string>;
}

export interface SpawnOptions {
  /**
   * A command line the CLI runs under, e.g. `['unshare', '--pid', '--fork', '--mount-proc', 'tini', '--']`
   * to run it as in a container: `node dist/cli.js ...` is appended to it.
   */
  readonly launcher?: readonly string[];
}

export function spawnCli(args: readonly string[], env: Record<string, string>, cwd?: string, options: SpawnOptions = {}): CliProcess {
  const [command = process.execPath, ...launcherArgs] = options.launcher ?? [];
  const child = spawn(command, [...launcherArgs, ...(options.launcher ? [process.execPath] : []), CLI, ...args], {
    cwd,
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  const waiters: Array<() => void> = [];
  child.stdout!.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => {
    err += chunk.toString();
    for (const w of waiters.splice(0)) w();
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  const waitForLog = async (text: string | RegExp, timeoutMs = 15_000) => {
    const deadline = Date.now() + timeoutMs;
    const matches = () => (typeof text === 'string' ? err.includes(text) : text.test(err));
    while (!matches()) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${String(text)} in:\n${err}`);
      if (child.exitCode !== null) throw new Error(`the process exited (${child.exitCode}) before logging ${String(text)}:\n${err}`);
      await new Promise<void>((resolve) => {
        waiters.push(resolve);
        setTimeout(resolve, 100);
      });
    }
  };
  return {
    child,
    stdout: () => out,
    stderr: () => err,
    exited,
    waitForLog,
    async httpUrl() {
      await waitForLog('http server listening');
      const line = err.split('\n').find((l) => l.includes('http server listening'))!;
      return (JSON.parse(line) as { url: string }).url;
    },
  };
}

/** Runs the CLI to completion. */
export async function runCli(args: readonly string[], env: Record<string, string>, cwd?: string) {
  const p = spawnCli(args, env, cwd);
  const { code, signal } = await p.exited;
  return { code, signal, stdout: p.stdout(), stderr: p.stderr() };
}
