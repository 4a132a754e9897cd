import type { CursorStore } from '../cursor/cursor-store.js';
import type { HealthReport } from '../http/server.js';
import type { Sink } from '../sinks/sink.js';
import { parseEventTime } from '../workos/event.js';
import type { DrainOutcome, StatusSnapshot } from './daemon-status.js';

async function reachable(probe: () => Promise<void>): Promise<string | undefined> {
  try {
    await probe();
    return undefined;
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  }
}

/**
 * `/readyz`: ready when this instance knows its role (leader or standby), the cursor store and
 * every sink answer, no sink is halted, no sink's cursor is stale and the last page was not refused
 * by the order guard. The body lists every reason it is not, and each sink's position and lag.
 */
function drainReport(outcome: DrainOutcome | undefined) {
  return outcome ? { ...outcome, at: new Date(outcome.at).toISOString() } : null;
}

export async function readiness(status: StatusSnapshot, cursorStore: CursorStore, sinks: readonly Sink[], now: number): Promise<HealthReport> {
  const [cursorProblem, ...sinkProblems] = await Promise.all([reachable(() => cursorStore.probe()), ...sinks.map((s) => reachable(() => s.probe()))]);
  const problems: string[] = [];
  if (cursorProblem) problems.push(`cursor store: ${cursorProblem}`);
  sinks.forEach((sink, i) => {
    if (sinkProblems[i]) problems.push(`sink ${sink.name}: ${sinkProblems[i]}`);
  });
  for (const sink of status.haltedSinks) problems.push(`sink ${sink} is halted: it keeps failing on a page (the other sinks go on)`);
  for (const [name, sink] of Object.entries(status.sinks)) {
    if (sink.stale) problems.push(`the cursor of sink ${name} (${sink.cursorCreatedAt}) is older than cursor.maxAgeDays: recover with "run --from <ISO time> --sink ${name}"`);
  }
  if (status.orderViolation) problems.push('WorkOS returned events out of order: the server may be ignoring the cursor');
  return {
    ok: problems.length === 0,
    role: status.role,
    cursor_created_at: status.cursorCreatedAt,
    last_drain: drainReport(status.lastDrain),
    sinks: Object.fromEntries(Object.entries(status.sinks).map(([name, sink]) => [name, {
      cursor_created_at: sink.cursorCreatedAt,
      lag_seconds: sink.cursorCreatedAt ? Math.max(0, (now - parseEventTime(sink.cursorCreatedAt)) / 1000) : null,
      events_behind: sink.eventsBehind ?? null,
      halted: sink.halted,
      stale: sink.stale,
      last_drain: drainReport(sink.lastDrain),
    }])),
    problems,
  };
}
