import type { SinkConfig, SinkEntry } from './registry.js';
import type { Sink, SinkContext, SinkPage, SinkPosition, SinkPositions } from './sink.js';

/**
 * A sink whose implementation (and so its driver) is imported on first use: a config that names
 * only a jsonl sink never loads pg, amqplib or NATS. Its name, type and whether it keeps its own
 * position are known from the config and the registry, before anything is loaded; every call
 * loads the implementation once, then hands over to it.
 */
export class LazySink implements Sink {
  readonly positions?: SinkPositions;
  private loading: Promise<Sink> | undefined;

  constructor(
    private readonly entry: SinkEntry,
    private readonly config: SinkConfig,
    readonly name: string,
    private readonly context: SinkContext,
  ) {
    if (entry.keepsPosition) {
      this.positions = {
        read: async () => (await this.instance()).positions!.read(),
        set: async (position: SinkPosition | null) => (await this.instance()).positions!.set(position),
      };
    }
  }

  get type(): string {
    return this.entry.type;
  }

  async open(): Promise<void> {
    await (await this.instance()).open();
  }

  async write(page: SinkPage): Promise<void> {
    await (await this.instance()).write(page);
  }

  async probe(): Promise<void> {
    await (await this.instance()).probe();
  }

  async close(): Promise<void> {
    // Never loaded, never opened: nothing to close, and no reason to load a driver now.
    if (this.loading) await (await this.loading).close();
  }

  private instance(): Promise<Sink> {
    if (!this.loading) {
      const loading = this.entry.load().then((definition) => definition.create(this.config, this.name, this.context));
      // A failed import (a broken install) is tried again on the next call rather than kept.
      loading.catch(() => {
        if (this.loading === loading) this.loading = undefined;
      });
      this.loading = loading;
    }
    return this.loading;
  }
}
