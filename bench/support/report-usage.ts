// Preloaded into a measured child process (`node --import ./bench/support/report-usage.ts ...`):
// at exit it writes the process's own CPU time and peak RSS (getrusage: ru_maxrss is the kernel's
// VmHWM) to $BENCH_USAGE_FILE as JSON, with V8's heap limit, which tells which heap flags the run
// had. Across a process.execve (the bin applying its heap flags) only the last image's exit runs
// this; getrusage still counts the whole process: CPU since the spawn, and a peak RSS that
// includes the first image's (Linux keeps maxrss across exec). Imports only node: modules, so
// plain `node` runs it.
import { writeFileSync } from 'node:fs';
import { getHeapStatistics } from 'node:v8';

const out = process.env.BENCH_USAGE_FILE;
if (out) {
  process.on('exit', () => {
    const usage = process.resourceUsage();
    writeFileSync(out, JSON.stringify({ userMs: usage.userCPUTime / 1000, systemMs: usage.systemCPUTime / 1000, maxRssKb: usage.maxRSS, heapLimitMb: getHeapStatistics().heap_size_limit / 2 ** 20 }));
  });
}
