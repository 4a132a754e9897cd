// `npm run bench [-- NAME...]`: runs every bench/*.bench.ts (or those whose name contains NAME),
// one after another, each in a process of its own so one's memory and timers cannot skew another.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const here = fileURLToPath(new URL('.', import.meta.url));
const filters = process.argv.slice(2);
const benches = readdirSync(here).filter((f) => f.endsWith('.bench.ts')).filter((f) => filters.length === 0 || filters.some((n) => f.includes(n))).sort();
let failed = 0;
for (const file of benches) {
  process.stdout.write(`\n## ${file}\n\n`);
  const result = spawnSync(process.execPath, ['--expose-gc', '--import', 'tsx', `${here}${file}`], { stdio: 'inherit' });
  if (result.status !== 0) failed++;
}
process.exitCode = failed > 0 ? 1 : 0;
