import { join } from 'node:path';
import type { Redis } from 'ioredis';
import { spawnCli, type CliProcess } from './cli-process.js';
import { readJsonl, uniqueInOrder } from './harness.js';
import type { World } from './world.js';

/** One `run` replica of a process test, with a jsonl file of its own (unless `config` names other sinks). */
export interface Replica {
  readonly name: string;
  readonly process: CliProcess;
  readonly file: string;
}

/**
 * Starts `run` with the world's config plus `config`, writing to `<name>.jsonl` in the world's
 * folder, and resolves once it has opened.
 */
export async function startReplica(w: World, name: string, config: Record<string, unknown>): Promise<Replica> {
  const file = join(w.dir, `${name}.jsonl`);
  const path = join(w.dir, `${name}.json`);
  await w.writeConfig({ sinks: [{ type: 'jsonl', path: file }], ...config }, path);
  const process = spawnCli(['run', '--config', path], w.env);
  await process.waitForLog('opened');
  return { name, process, file };
}

/** The replica whose pid is in the lease's token (`host:pid:random`), or undefined while nobody holds it. */
export async function leaderOf(redis: Redis, leaseKey: string, replicas: readonly Replica[]): Promise<Replica | undefined> {
  const holder = (await redis.get(leaseKey)) ?? '';
  const pid = Number(holder.split(':')[1]);
  return replicas.find((r) => r.process.child.pid === pid);
}

/** Every event the replicas' files hold, in file order, one file after another. */
export async function deliveredBy(replicas: readonly Replica[]): Promise<Array<{ id: string }>> {
  return (await Promise.all(replicas.map((r) => readJsonl(r.file)))).flat();
}

/** Polls the replicas' files until they hold `count` distinct events, or `timeoutMs` passes. */
export async function waitForDistinct(replicas: readonly Replica[], count: number, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (uniqueInOrder(await deliveredBy(replicas)).ids.length < count && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** SIGCONT (in case one is paused), then SIGTERM, and waits for every replica to exit. */
export async function stopReplicas(replicas: readonly Replica[]): Promise<void> {
  for (const { process: p } of replicas) {
    if (p.child.exitCode !== null || p.child.signalCode !== null) continue;
    p.child.kill('SIGCONT');
    p.child.kill('SIGTERM');
  }
  await Promise.all(replicas.map((r) => r.process.exited));
}
