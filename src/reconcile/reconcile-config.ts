import cron from 'node-cron';
import { z } from 'zod';

/** The `reconcile` block of the config: the periodic reconciliation `run` does as leader. */
export const reconcileConfigSchema = z
  .strictObject({
    schedule: z
      .string()
      .refine((expr) => cron.validate(expr), { error: 'expected a node-cron expression such as "0 */6 * * *" (every 6 hours)' })
      .optional()
      .describe('node-cron expression for a reconciliation of the postgres_mirror sink against the WorkOS APIs, run by the leader beside the drains; a tick while one is still running is skipped. Default: none (`workos-events-sync reconcile` still runs one by hand).'),
    fix: z.boolean().default(false).describe('Also make every differing row equal to WorkOS (as `reconcile --fix`). Default false: only report (log and metrics).'),
    sink: z.string().min(1).optional().describe('Name of the postgres_mirror sink to reconcile, when the config has several. Default: the only postgres_mirror sink.'),
    requestsPerMinute: z.int().min(1).max(6000).optional().describe('The most requests a minute the reconciliation may take. Its requests go through the daemon\'s budget (rateLimit) too, so the key\'s limit holds and the drains always keep the rest of it. Default: half of rateLimit.requestsPerMinute.'),
  })
  .describe('Reconciliation on a schedule: WorkOS recommends a periodic diff against its APIs beside event consumption.');

export type ReconcileConfig = z.infer<typeof reconcileConfigSchema>;

/** The config's problems with the reconcile block: a schedule needs one postgres_mirror sink to reconcile, and a share of the budget it can have. */
export function reconcileConfigIssues(config: {
  readonly reconcile: ReconcileConfig;
  readonly rateLimit: { readonly requestsPerMinute: number };
  readonly sinks: readonly { readonly type: string; readonly name?: string | undefined }[];
}): { path: (string | number)[]; message: string }[] {
  const { reconcile } = config;
  if (reconcile.schedule === undefined) return [];
  const issues: { path: (string | number)[]; message: string }[] = [];
  const mirrors = config.sinks.filter((s) => s.type === 'postgres_mirror' && (reconcile.sink === undefined || s.name === reconcile.sink));
  if (mirrors.length === 0) issues.push({ path: ['reconcile', reconcile.sink === undefined ? 'schedule' : 'sink'], message: `needs a postgres_mirror sink${reconcile.sink === undefined ? '' : ` named "${reconcile.sink}"`}` });
  else if (mirrors.length > 1) issues.push({ path: ['reconcile', 'sink'], message: 'the config has several postgres_mirror sinks: name the one to reconcile' });
  if (reconcile.requestsPerMinute !== undefined && reconcile.requestsPerMinute > config.rateLimit.requestsPerMinute) {
    issues.push({ path: ['reconcile', 'requestsPerMinute'], message: `must not be more than rateLimit.requestsPerMinute (${config.rateLimit.requestsPerMinute}), the budget it shares with the drains` });
  }
  return issues;
}
