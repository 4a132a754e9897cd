// The package's public API: the sink contract (for custom sinks) and the pieces to embed the daemon.
export type { Sink, SinkContext, SinkDefinition, SinkPage } from './sinks/sink.js';
export type { ModuleSinkFactory, ModuleSinkInstance } from './sinks/module/module-sink.js';
export type { WorkOSEvent } from './workos/event.js';
export type { Cursor, CursorStore } from './cursor/cursor-store.js';
export type { Config } from './config/schema.js';
export { configSchema } from './config/schema.js';
export { loadConfig, parseConfig } from './config/load.js';
export { createDaemon, type Daemon, type DaemonOptions } from './daemon.js';
export { WesError, ConfigError, type ErrorCode } from './errors.js';
