import { WesError } from '../../errors.js';
import type { Sink, SinkDefinition, SinkPage } from '../sink.js';
import type { Writable } from 'node:stream';
import { stdoutSinkConfigSchema, type StdoutSinkConfig } from './stdout-sink-config.js';
export { stdoutSinkConfigSchema, type StdoutSinkConfig } from './stdout-sink-config.js';


/** Resolves once the stream has handed the chunk to the OS, so back-pressure holds the pipeline. */
function writeChunk(stream: Writable, chunk: string): Promise<void> {
  return new Promise((resolve, reject) => {
    stream.write(chunk, (err) => (err ? reject(err) : resolve()));
  });
}

class StdoutSink implements Sink {
  readonly type = 'stdout';
  constructor(readonly name: string, private readonly stream: Writable) {}

  async open(): Promise<void> {}

  async write(page: SinkPage): Promise<void> {
    if (page.events.length === 0) return;
    let chunk = '';
    for (const event of page.events) chunk += `${JSON.stringify(event)}\n`;
    try {
      await writeChunk(this.stream, chunk);
    } catch (err) {
      // A closed pipe will not come back: the reader went away, a restart is the fix.
      throw new WesError('WES_ERR_SINK_REJECTED', `sink "${this.name}" could not write to stdout: ${(err as Error).message}`, { cause: err });
    }
  }

  async probe(): Promise<void> {
    if (this.stream.destroyed || this.stream.writableEnded) {
      throw new WesError('WES_ERR_SINK_UNAVAILABLE', `sink "${this.name}": stdout is closed`);
    }
  }

  async close(): Promise<void> {}
}

export const stdoutSink: SinkDefinition<typeof stdoutSinkConfigSchema> = {
  type: 'stdout',
  configSchema: stdoutSinkConfigSchema,
  create: (_config, name, context) => new StdoutSink(name, context.stdout),
};
