// Preloaded into a measured child process (`node --import ./bench/support/report-usage.ts ...`):
// at exit it writes the process's own CPU time and peak RSS (getrusage: ru_maxrss is the kernel's
// VmHWM) to $BENCH_USAGE_FILE as JSON. Imports only node:fs, so plain `node` runs it.
import { writeFileSync } from 'node:fs';

const out = process.env.BENCH_USAGE_FILE;
if (out) {
  process.on('exit', () => {
    const usage = process.resourceUsage();
    writeFileSync(out, JSON.stringify({ userMs: usage.userCPUTime / 1000, systemMs: usage.systemCPUTime / 1000, maxRssKb: usage.maxRSS }));
  });
}
