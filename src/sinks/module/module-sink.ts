import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { isWesError, WesError } from '../../errors.js';
import type { Sink, SinkContext, SinkDefinition, SinkPage } from '../sink.js';
import { moduleSinkConfigSchema, type ModuleSinkConfig } from './module-sink-config.js';
export { moduleSinkConfigSchema, type ModuleSinkConfig } from './module-sink-config.js';


/** What a module sink exports: builds its sink, like `SinkDefinition.create` but free to be async. */
export type ModuleSinkFactory = (options: Record<string, unknown>, context: SinkContext & { readonly name: string }) => ModuleSinkInstance | Promise<ModuleSinkInstance>;

/** The contract a module's sink meets; `name` and `type` are supplied by the daemon, `probe` is optional. */
export type ModuleSinkInstance = Pick<Sink, 'write'> & Partial<Pick<Sink, 'open' | 'close' | 'probe'>>;

/**
 * A module's failures keep their class when they are WesErrors (the module may import WesError
 * from the package); anything else is retryable unless it says `retryable: false`, because a
 * sink that forgot to classify should make the pipeline wait, not skip.
 */
function classify(sinkName: string, action: string, err: unknown): WesError {
  if (isWesError(err)) return err;
  const retryable = (err as { retryable?: unknown } | null)?.retryable !== false;
  const reason = err instanceof Error ? err.message : String(err);
  return new WesError(retryable ? 'WES_ERR_SINK_UNAVAILABLE' : 'WES_ERR_SINK_REJECTED', `sink "${sinkName}" could not ${action}: ${reason}`, { retryable, cause: err });
}

function isLocalPath(path: string): boolean {
  return path.startsWith('.') || path.startsWith('/');
}

class ModuleSink implements Sink {
  readonly type = 'module';
  private inner: ModuleSinkInstance | undefined;
  private loading: Promise<ModuleSinkInstance> | undefined;
  private closing: Promise<void> | undefined;

  constructor(readonly name: string, private readonly config: ModuleSinkConfig, private readonly context: SinkContext) {}

  private load(): Promise<ModuleSinkInstance> {
    this.loading ??= (async () => {
      const specifier = isLocalPath(this.config.path) ? pathToFileURL(resolve(this.config.path)).href : this.config.path;
      let loaded: { createSink?: unknown; default?: unknown };
      try {
        loaded = (await import(specifier)) as { createSink?: unknown; default?: unknown };
      } catch (err) {
        this.loading = undefined;
        throw new WesError('WES_ERR_SINK_REJECTED', `sink "${this.name}": cannot load module ${this.config.path}: ${(err as Error).message}`, { cause: err });
      }
      const factory = (loaded.createSink ?? loaded.default) as ModuleSinkFactory | undefined;
      if (typeof factory !== 'function') {
        throw new WesError('WES_ERR_SINK_REJECTED', `sink "${this.name}": module ${this.config.path} exports no createSink(options, context) function`);
      }
      const inner = await factory(this.config.options, { ...this.context, name: this.name });
      if (!inner || typeof inner.write !== 'function') {
        throw new WesError('WES_ERR_SINK_REJECTED', `sink "${this.name}": createSink in ${this.config.path} did not return an object with write(page)`);
      }
      return inner;
    })();
    return this.loading;
  }

  async open(): Promise<void> {
    this.closing = undefined;
    const inner = await this.load();
    try {
      await inner.open?.();
    } catch (err) {
      throw classify(this.name, 'open', err);
    }
    this.inner = inner;
  }

  async write(page: SinkPage): Promise<void> {
    if (!this.inner) await this.open();
    try {
      await this.inner!.write(page);
    } catch (err) {
      throw classify(this.name, 'write a page', err);
    }
  }

  async probe(): Promise<void> {
    if (!this.inner) await this.open();
    try {
      await this.inner!.probe?.();
    } catch (err) {
      throw classify(this.name, 'answer a probe', err);
    }
  }

  close(): Promise<void> {
    this.closing ??= (async () => {
      const inner = this.inner;
      this.inner = undefined;
      try {
        await inner?.close?.();
      } catch (err) {
        throw classify(this.name, 'close', err);
      }
    })();
    return this.closing;
  }
}

export const moduleSink: SinkDefinition<typeof moduleSinkConfigSchema> = {
  type: 'module',
  configSchema: moduleSinkConfigSchema,
  create: (config, name, context) => new ModuleSink(name, config, context),
};
