import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const usageHook = fileURLToPath(new URL('./report-usage.ts', import.meta.url));

export interface ChildUsage {
  readonly seconds: number;
  /** user + system CPU, ms (NaN when the child died without reporting). */
  readonly cpuMs: number;
  /** The kernel's peak RSS (ru_maxrss), MB (NaN when the child died without reporting). */
  readonly peakRssMb: number;
  /** V8's heap limit at exit (old space and young generation), MB: which heap flags the run had. */
  readonly heapLimitMb: number;
  readonly stdout: string;
  /** The last 4000 characters of standard error (the daemon logs there), to explain a failure. */
  readonly stderr: string;
  readonly code: number | null;
  /** Killed by V8 at its heap limit (--max-old-space-size): it runs no exit handler, so no usage. */
  readonly outOfMemory: boolean;
}

/**
 * Runs `node --import report-usage.ts ...args` to completion, with `env` over this process's
 * environment (NODE_OPTIONS cleared unless `env` sets it); its CPU and peak RSS come from
 * getrusage at exit, written to a file in `dir`.
 */
export async function measureChild(args: readonly string[], env: Record<string, string>, dir: string): Promise<ChildUsage> {
  const usageFile = join(dir, `usage-${Math.random().toString(36).slice(2)}.json`);
  const started = performance.now();
  const child = spawn(process.execPath, ['--import', usageHook, ...args], { env: { ...process.env, NODE_OPTIONS: '', ...env, BENCH_USAGE_FILE: usageFile }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr = (stderr + chunk).slice(-4000)));
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  const seconds = (performance.now() - started) / 1000;
  if (stderr.includes('JavaScript heap out of memory')) return { seconds, cpuMs: Number.NaN, peakRssMb: Number.NaN, heapLimitMb: Number.NaN, stdout, stderr, code, outOfMemory: true };
  const usage = JSON.parse(await readFile(usageFile, 'utf8').catch(() => '{}')) as { userMs?: number; systemMs?: number; maxRssKb?: number; heapLimitMb?: number };
  const cpuMs = usage.userMs === undefined ? Number.NaN : usage.userMs + (usage.systemMs ?? 0);
  return { seconds, cpuMs, peakRssMb: usage.maxRssKb === undefined ? Number.NaN : usage.maxRssKb / 1024, heapLimitMb: usage.heapLimitMb ?? Number.NaN, stdout, stderr, code, outOfMemory: false };
}
