import pg from 'pg';
import { pino } from 'pino';
import { loadConfig } from '../config/load.js';
import { formatReport } from '../reconcile/format-report.js';
import { mirrorSinkOf } from '../reconcile/mirror-sink-of.js';
import { reconcileMirror } from '../reconcile/reconcile-mirror.js';
import { sleep } from '../retry/sleep.js';
import { createLocalRateBudget } from '../workos/rate-budget.js';
import { apiOptionsFromConfig } from '../workos/api-options-from-config.js';
import { createWorkOSApi } from '../workos/workos-api.js';
import { EXIT_FAILURE, EXIT_OK, reportFailure, type CommandIO } from './command-io.js';

export interface ReconcileArgs {
  readonly fix: boolean;
  /** Which postgres_mirror sink, when the config has several. */
  readonly sink?: string | undefined;
}

/**
 * `reconcile [--fix]`: WorkOS's recommended reconciliation. Lists the current state from the
 * WorkOS APIs within the rate budget, compares it field by field with the `postgres_mirror`
 * tables and prints what differs. Exits 1 when they differ; with `--fix`, makes every
 * differing row equal to WorkOS's object (`changed_by = 'reconcile'`) and exits 0 once all are.
 */
export async function reconcileCommand(configPath: string | undefined, args: ReconcileArgs, io: CommandIO): Promise<number> {
  try {
    const { config, apiKey } = await loadConfig({ path: configPath, env: io.env, requireApiKey: true });
    const mirror = mirrorSinkOf(config, args.sink, 'reconcile');
    const logger = pino({ level: 'silent' });
    const budget = createLocalRateBudget({ requestsPerMinute: config.rateLimit.requestsPerMinute });
    const api = createWorkOSApi({ ...apiOptionsFromConfig(config, apiKey!), budget });
    const pool = new pg.Pool({ connectionString: mirror.url, max: 1 });
    pool.on('error', () => undefined);
    try {
      const report = await reconcileMirror({
        api, pool, schema: mirror.schema, fix: args.fix, retry: { maxAttempts: config.retry.maxAttempts, backoff: config.retry, logger, sleep },
      });
      io.stdout.write(formatReport(report, args.fix));
      return (args.fix ? report.unfixed : report.differing) > 0 ? EXIT_FAILURE : EXIT_OK;
    } finally {
      await budget.close();
      await pool.end();
    }
  } catch (err) {
    return reportFailure(io, err);
  }
}
