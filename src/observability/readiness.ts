import type { CursorStore } from '../cursor/cursor-store.js';
import type { HealthReport } from '../http/server.js';
import type { Sink } from '../sinks/sink.js';
import type { StatusSnapshot } from './daemon-status.js';

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
 * every sink answer, no sink is halted, the cursor is not stale and the last page was not refused
 * by the order guard. The body lists every reason it is not.
 */
export async function readiness(status: StatusSnapshot, cursorStore: CursorStore, sinks: readonly Sink[]): Promise<HealthReport> {
  const [cursorProblem, ...sinkProblems] = await Promise.all([reachable(() => cursorStore.probe()), ...sinks.map((s) => reachable(() => s.probe()))]);
  const problems: string[] = [];
  if (cursorProblem) problems.push(`cursor store: ${cursorProblem}`);
  sinks.forEach((sink, i) => {
    if (sinkProblems[i]) problems.push(`sink ${sink.name}: ${sinkProblems[i]}`);
  });
  for (const sink of status.haltedSinks) problems.push(`sink ${sink} is halted: it keeps failing on a page`);
  if (status.cursorStale) problems.push(`the cursor (${status.cursorCreatedAt}) is older than cursor.maxAgeDays: recover with "run --from <ISO time>"`);
  if (status.orderViolation) problems.push('WorkOS returned events out of order: the server may be ignoring the cursor');
  return {
    ok: problems.length === 0,
    role: status.role,
    cursor_created_at: status.cursorCreatedAt,
    last_drain: status.lastDrain ? { ...status.lastDrain, at: new Date(status.lastDrain.at).toISOString() } : null,
    problems,
  };
}
