import { cpus, loadavg, totalmem } from 'node:os';

/** One line naming the machine a table was measured on, and how busy it was when the bench started. */
export function describeMachine(): string {
  const cores = cpus();
  return `${cores.length} x ${cores[0]?.model ?? 'unknown CPU'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.versions.node}, load average ${loadavg()[0]!.toFixed(2)} at start`;
}
