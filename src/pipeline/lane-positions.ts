import type { CursorMemory } from '../cursor/cursor-memory.js';
import { positionOfSink, sameFilter, type Cursor, type Positions } from '../cursor/cursor-store.js';
import { comparePositions, earliestPosition } from '../cursor/position-order.js';

/**
 * What the pipeline knows of every sink's position, to keep the deployment's position (the one
 * older versions read, see Positions.deployment): the earliest of them, moved only forwards. A
 * sink still backfilling behind it (a sink added later) does not pull it back. Commits go through
 * here one at a time, so that two sinks committing at once cannot write it out of order.
 */
export class LanePositions {
  private readonly known = new Map<string, Cursor | null>();
  private deployment: Cursor | null = null;
  private queue: Promise<unknown> = Promise.resolve();
  /** Commits so far: a read of the store taken before the last commit no longer says where the sinks are. */
  commits = 0;

  constructor(private readonly lanes: readonly string[], private readonly memory: CursorMemory) {}

  /**
   * A read of the store: the deployment's position as it stands there, and where each sink this
   * process has not read yet stands (so that a sink that cannot start, its service down, still
   * counts as the slowest instead of being left out).
   */
  loaded(positions: Positions): void {
    this.deployment = positions.deployment;
    for (const name of this.lanes) {
      if (this.known.has(name)) continue;
      this.known.set(name, positionOfSink(positions, name));
    }
  }

  /** Where a sink's drain starts (or where it was moved by hand). */
  record(lane: string, cursor: Cursor | null): void {
    this.known.set(lane, cursor);
    if (cursor) this.memory.rememberSink(lane, cursor);
  }

  positionOf(lane: string): Cursor | null | undefined {
    return this.known.get(lane);
  }

  /**
   * Commits `lane` at `cursor` through `write`, handing it the deployment's new position when it
   * moves forwards (undefined otherwise), one commit at a time.
   */
  commit(lane: string, cursor: Cursor, write: (deployment: Cursor | undefined) => Promise<void>): Promise<void> {
    const run = this.queue.then(async () => {
      const deployment = this.deploymentWith(lane, cursor);
      await write(deployment);
      this.commits++;
      this.record(lane, cursor);
      if (deployment) {
        this.deployment = deployment;
        this.memory.rememberDeployment(deployment);
      }
    });
    this.queue = run.catch(() => undefined);
    return run;
  }

  private deploymentWith(lane: string, cursor: Cursor): Cursor | undefined {
    const positions: Array<Cursor | null> = [];
    for (const name of this.lanes) {
      const position = name === lane ? cursor : this.known.get(name);
      // A sink whose position this process has not read yet could be anywhere: wait for it.
      if (position === undefined) return undefined;
      positions.push(position);
    }
    const earliest = earliestPosition(positions);
    if (!earliest || !this.deployment) return earliest ?? undefined;
    const order = comparePositions(earliest, this.deployment);
    // The same position with another filter (an accepted filter change) is news for older versions too.
    const sameFilterAsStored = earliest.filter && this.deployment.filter ? sameFilter(earliest.filter, this.deployment.filter) : earliest.filter === this.deployment.filter;
    if (order < 0 || (order === 0 && sameFilterAsStored)) return undefined;
    return earliest;
  }
}
