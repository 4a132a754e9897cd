import { constants } from 'node:fs';
import { mkdir, open, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Logger } from 'pino';
import type { Sink, SinkDefinition, SinkPage } from '../sink.js';
import { fileSinkError } from '../sink-errors.js';
import { repairTornTail } from './repair-torn-tail.js';
import { writeAll } from './write-all.js';
import { jsonlSinkConfigSchema, type JsonlSinkConfig } from './jsonl-sink-config.js';
export { jsonlSinkConfigSchema, type JsonlSinkConfig } from './jsonl-sink-config.js';


/**
 * `O_DSYNC`: each write returns only once its data (and the file size) is on disk, which is what
 * write + `fdatasync` gives, in one system call and one trip to libuv's thread pool instead of two
 * (about 0.1 ms less per page while catching up, see bench/README.md). Where the flag does not
 * exist (Windows), the sink writes and then calls `fdatasync`.
 */
const DSYNC = constants.O_DSYNC as number | undefined;
const OPEN_FLAGS = DSYNC === undefined ? 'a+' : constants.O_RDWR | constants.O_APPEND | constants.O_CREAT | DSYNC;

/**
 * Appends a page as one buffer, flushed to disk once per page (not per event): the cursor moves
 * only after the lines are on disk. A failed write is cut back to where the page started, so a
 * retry never leaves half a line in the middle of the file.
 */
class JsonlSink implements Sink {
  readonly type = 'jsonl';
  private handle: FileHandle | undefined;
  private size = 0;
  private closing: Promise<void> | undefined;

  constructor(readonly name: string, private readonly path: string, private readonly logger: Logger) {}

  async open(): Promise<void> {
    if (this.handle) return;
    this.closing = undefined;
    try {
      await mkdir(dirname(this.path), { recursive: true });
      const handle = await open(this.path, OPEN_FLAGS);
      const { size, cutBytes } = await repairTornTail(handle);
      if (cutBytes > 0) {
        // Only a page that was never committed can be torn (a crash mid-write): it will be replayed.
        this.logger.warn({ sink: this.name, path: this.path, cutBytes }, 'removed a partial last line left by an interrupted write');
      }
      this.handle = handle;
      this.size = size;
    } catch (err) {
      throw fileSinkError(this.name, `open ${this.path}`, err);
    }
  }

  async write(page: SinkPage): Promise<void> {
    if (page.events.length === 0) return;
    if (!this.handle) await this.open();
    const handle = this.handle!;
    let text = '';
    for (const event of page.events) text += `${JSON.stringify(event)}\n`;
    const bytes = Buffer.from(text);
    try {
      await writeAll(handle, bytes);
      if (DSYNC === undefined) await handle.datasync();
      this.size += bytes.length;
    } catch (err) {
      await handle.truncate(this.size).catch(() => undefined);
      throw fileSinkError(this.name, `append to ${this.path}`, err);
    }
  }

  async probe(): Promise<void> {
    if (!this.handle) await this.open();
  }

  close(): Promise<void> {
    this.closing ??= (async () => {
      const handle = this.handle;
      this.handle = undefined;
      await handle?.close();
    })();
    return this.closing;
  }
}

export const jsonlSink: SinkDefinition<typeof jsonlSinkConfigSchema> = {
  type: 'jsonl',
  configSchema: jsonlSinkConfigSchema,
  create: (config, name, context) => new JsonlSink(name, config.path, context.logger),
};
