import { mkdir, open, readFile, rename, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { WesError } from '../errors.js';
import { deserializeCursor, serializeCursor, type Cursor, type CursorStore } from './cursor-store.js';

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

  async get(): Promise<Cursor | null> {
    let text: string;
    try {
      text = await readFile(this.path, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw storeError('read', this.path, err);
    }
    return deserializeCursor(text, this.description);
  }

  /** Fencing does not apply: a file cursor means one instance on one host (no lease). */
  async set(cursor: Cursor): Promise<void> {
    const temporary = `${this.path}.${process.pid}.tmp`;
    try {
      const handle = await open(temporary, 'w');
      try {
        await handle.writeFile(serializeCursor(cursor, this.now()));
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

  async reset(): Promise<void> {
    try {
      await rm(this.path, { force: true });
    } catch (err) {
      throw storeError('remove', this.path, err);
    }
  }

  async probe(): Promise<void> {
    await this.get();
  }

  async close(): Promise<void> {}
}
