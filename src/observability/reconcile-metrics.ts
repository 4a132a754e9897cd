import type { Counter, Gauge } from 'prom-client';

/** The instruments of the scheduled reconciliation (see src/reconcile/scheduled-reconcile.ts). */
export interface ReconcileMetrics {
  /** Runs that ended, by `result`: `matched`, `differed`, `fixed` (differed, and all repaired) or `failed`. */
  readonly runs: Counter<'result'>;
  /** Unix time in seconds at which the last run ended, whatever its result. */
  readonly lastRunTimestampSeconds: Gauge;
  /** How long the last run took. */
  readonly lastRunDurationSeconds: Gauge;
  /** Rows that differed from WorkOS in the last run that finished, by table. */
  readonly differences: Gauge<'table'>;
  /** Rows the runs made equal to WorkOS (with `reconcile.fix`), by table. */
  readonly fixed: Counter<'table'>;
  /** 1 while a run is in progress, else 0. */
  readonly running: Gauge;
}

type Make<T> = (name: string, help: string, labelNames?: readonly string[]) => T;

/** Registers the reconcile instruments with the registry's own helpers, so they carry the daemon's prefix. */
export function createReconcileMetrics(counter: Make<Counter<string>>, gauge: Make<Gauge<string>>): ReconcileMetrics {
  return {
    runs: counter('reconcile_runs_total', 'Scheduled reconciliations that ended, by result (matched, differed, fixed, failed).', ['result']) as Counter<'result'>,
    lastRunTimestampSeconds: gauge('reconcile_last_run_timestamp_seconds', 'Unix time in seconds at which the last scheduled reconciliation ended.'),
    lastRunDurationSeconds: gauge('reconcile_last_run_duration_seconds', 'Seconds the last scheduled reconciliation took.'),
    differences: gauge('reconcile_differences', 'Rows of the mirror that differed from WorkOS in the last reconciliation that finished, by table.', ['table']) as Gauge<'table'>,
    fixed: counter('reconcile_fixed_rows_total', 'Rows scheduled reconciliations made equal to WorkOS (reconcile.fix), by table.', ['table']) as Counter<'table'>,
    running: gauge('reconcile_running', '1 while a scheduled reconciliation is in progress, else 0.'),
  };
}
