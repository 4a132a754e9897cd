import { mkdir, open, readFile, rename, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { WesError } from '../errors.js';
import { deserializeCursor, NO_POSITIONS, serializeCursor, type Cursor, type CursorStore, type Positions } from './cursor-store.js';

/** The file since per-sink positions: `{ version: 2, deployment, sinks }`; version 1 was one cursor. */
interface PositionsFile {
  readonly version: 2;
  readonly deployment: unknown;
  readonly sinks?: Record<string, unknown>;
}

function storeError(action: string, path: string, err: unknown): WesError {
  const code = (err as NodeJS.ErrnoException).code;
  const retryable = code === 'ENOSPC' || code === 'EIO' || code === 'EAGAIN' || code === 'EBUSY';
  return new WesError('WES_ERR_CURSOR_STORE_UNAVAILABLE', `could not ${action} the cursor file ${path}: ${(err as Error).message}`, { retryable, cause: err });
}

/**
 * The cursor in a local JSON file, for single-host setups and the demo. Writes go to a temporary
 * file that is fsynced and renamed over the old one (then the folder is fsynced), so a crash
 * leaves either the old cursor or the new one, never half of one.
 */
export class FileCursorStore implements CursorStore {
  readonly description: string;
  private queue: Promise<void> = Promise.resolve();

  constructor(private readonly path: string, private readonly now: () => Date = () => new Date()) {
    this.description = `file ${path}`;
  }

  async open(): Promise<void> {
    try {
      await mkdir(dirname(this.path), { recursive: true });
    } catch (err) {
      throw storeError('create the folder of', this.path, err);
    }
  }

  async read(): Promise<Positions> {
    let text: string;
    try {
      text = await readFile(this.path, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return NO_POSITIONS;
      throw storeError('read', this.path, err);
    }
    let parsed: Partial<PositionsFile> | undefined;
    try {
      parsed = JSON.parse(text) as Partial<PositionsFile>;
    } catch {
      parsed = undefined;
    }
    // A version 1 file is one cursor for every sink (written before per-sink positions).
    if (parsed?.version !== 2) return { deployment: deserializeCursor(text, this.description), sinks: undefined };
    const cursorAt = (value: unknown, where: string) => deserializeCursor(JSON.stringify(value), where);
    return {
      deployment: parsed.deployment ? cursorAt(parsed.deployment, this.description) : null,
      sinks: parsed.sinks ? new Map(Object.entries(parsed.sinks).map(([name, value]) => [name, cursorAt(value, `${this.description} (sink ${name})`)])) : undefined,
    };
  }

  async get(): Promise<Cursor | null> {
    return (await this.read()).deployment;
  }

  /** Fencing does not apply: a file cursor means one instance on one host (no lease). */
  commit(sink: string, cursor: Cursor, _fence?: unknown, deployment?: Cursor): Promise<void> {
    return this.update((current) => ({
      deployment: deployment ?? current.deployment,
      sinks: new Map([...(current.sinks ?? []), [sink, cursor]]),
    }));
  }

  set(cursor: Cursor): Promise<void> {
    return this.update(() => ({ deployment: cursor, sinks: undefined }));
  }

  forget(sink: string): Promise<void> {
    return this.update((current) => {
      const sinks = new Map(current.sinks ?? []);
      sinks.delete(sink);
      return { deployment: current.deployment, sinks };
    });
  }

  reset(): Promise<void> {
    return this.serialized(async () => {
      try {
        await rm(this.path, { force: true });
      } catch (err) {
        throw storeError('remove', this.path, err);
      }
    });
  }

  /** Read-modify-write, one at a time: the sinks of one daemon commit concurrently. */
  private update(change: (current: Positions) => Positions): Promise<void> {
    return this.serialized(async () => this.write(change(await this.read())));
  }

  private serialized(operation: () => Promise<void>): Promise<void> {
    const run = this.queue.then(operation);
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async write(positions: Positions): Promise<void> {
    const now = this.now();
    const stored = (cursor: Cursor) => JSON.parse(serializeCursor(cursor, now)) as unknown;
    const file: PositionsFile = {
      version: 2,
      deployment: positions.deployment ? stored(positions.deployment) : null,
      ...(positions.sinks ? { sinks: Object.fromEntries([...positions.sinks].map(([name, cursor]) => [name, stored(cursor)])) } : {}),
    };
    const temporary = `${this.path}.${process.pid}.tmp`;
    try {
      const handle = await open(temporary, 'w');
      try {
        await handle.writeFile(JSON.stringify(file));
        await handle.sync();
      } finally {
        await handle.close();
      }
      await rename(temporary, this.path);
      const folder = await open(dirname(this.path), 'r');
      try {
        await folder.sync();
      } finally {
        await folder.close();
      }
    } catch (err) {
      await rm(temporary, { force: true }).catch(() => undefined);
      throw storeError('write', this.path, err);
    }
  }

  async probe(): Promise<void> {
    await this.get();
  }

  async close(): Promise<void> {}
}
