import pg from 'pg';
import { pino } from 'pino';
import { loadConfig } from '../config/load.js';
import { ConfigError } from '../errors.js';
import { diffTable, isClean, type TableDiff } from '../reconcile/diff-table.js';
import { fetchWorkOSState, RECONCILED_TABLES } from '../reconcile/fetch-workos-state.js';
import { sleep } from '../retry/sleep.js';
import { applyReconcileFix, readMirrorRows } from '../sinks/postgres-mirror/mirror-tables.js';
import { createLocalRateBudget } from '../workos/rate-budget.js';
import { apiOptionsFromConfig } from '../workos/api-options-from-config.js';
import { createWorkOSApi } from '../workos/workos-api.js';
import { EXIT_FAILURE, EXIT_OK, reportFailure, type CommandIO } from './command-io.js';

export interface ReconcileArgs {
  readonly fix: boolean;
  /** Which postgres_mirror sink, when the config has several. */
  readonly sink?: string | undefined;
}

/** How many ids of each kind a report prints before "and N more". */
const SHOWN = 20;

function printDiff(io: CommandIO, diff: TableDiff): void {
  const line = (kind: string, ids: readonly string[]) => {
    if (ids.length === 0) return;
    const shown = ids.slice(0, SHOWN).join(' ');
    io.stdout.write(`  ${kind.padEnd(8)} ${shown}${ids.length > SHOWN ? ` and ${ids.length - SHOWN} more` : ''}\n`);
  };
  io.stdout.write(`${diff.table}: ${diff.missing.length} missing, ${diff.extra.length} extra, ${diff.stale.length} stale\n`);
  line('missing', diff.missing.map((o) => o.id));
  line('extra', diff.extra);
  line('stale', diff.stale.map((o) => o.id));
}

/**
 * `reconcile [--fix]`: WorkOS's recommended disaster recovery. Lists the current state from the
 * WorkOS APIs within the rate budget, compares it with the `postgres_mirror` tables and prints
 * what is missing, extra (deletions show up only this way) and stale. Exits 1 when they differ;
 * with `--fix`, writes WorkOS's state into the mirror (rows marked `changed_by = 'reconcile'`).
 */
export async function reconcileCommand(configPath: string | undefined, args: ReconcileArgs, io: CommandIO): Promise<number> {
  try {
    const { config, apiKey } = await loadConfig({ path: configPath, env: io.env, requireApiKey: true });
    const mirrors = config.sinks.filter((s) => s.type === 'postgres_mirror' && (!args.sink || s.name === args.sink));
    if (mirrors.length !== 1) {
      throw new ConfigError([mirrors.length === 0
        ? `reconcile: the config has no postgres_mirror sink${args.sink ? ` named "${args.sink}"` : ''}`
        : 'reconcile: the config has several postgres_mirror sinks; name one with --sink NAME']);
    }
    const mirror = mirrors[0] as Extract<(typeof mirrors)[number], { type: 'postgres_mirror' }>;
    const logger = pino({ level: 'silent' });
    const budget = createLocalRateBudget({ requestsPerMinute: config.rateLimit.requestsPerMinute });
    const api = createWorkOSApi({ ...apiOptionsFromConfig(config, apiKey!), budget });
    const pool = new pg.Pool({ connectionString: mirror.url, max: 1 });
    pool.on('error', () => undefined);
    try {
      const state = await fetchWorkOSState(api, { maxAttempts: config.retry.maxAttempts, backoff: config.retry, logger, sleep });
      let differs = false;
      const fixedAt = new Date().toISOString();
      for (const table of RECONCILED_TABLES) {
        const listing = state.get(table)!;
        if ('skipped' in listing) {
          io.stdout.write(`${table}: skipped (${listing.skipped})\n`);
          continue;
        }
        const diff = diffTable(table, listing.objects, await readMirrorRows(pool, mirror.schema, table));
        printDiff(io, diff);
        if (isClean(diff)) continue;
        differs = true;
        if (args.fix) {
          const fixed = await applyReconcileFix(pool, mirror.schema, table, { upserts: [...diff.missing, ...diff.stale], tombstones: diff.extra }, fixedAt);
          io.stdout.write(`  fixed: ${fixed.upserted} written, ${fixed.tombstoned} marked deleted\n`);
        }
      }
      if (!differs) io.stdout.write('the mirror matches WorkOS\n');
      return differs && !args.fix ? EXIT_FAILURE : EXIT_OK;
    } finally {
      await budget.close();
      await pool.end();
    }
  } catch (err) {
    return reportFailure(io, err);
  }
}
