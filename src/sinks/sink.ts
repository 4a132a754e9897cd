import type { Writable } from 'node:stream';
import type { Logger } from 'pino';
import type { z } from 'zod';
import type { WorkOSEvent } from '../workos/event.js';

/**
 * The sink contract. Terminology: a *definition* describes a kind of sink (its `type` and config
 * schema) and creates *instances*; an instance is what the pipeline writes pages to.
 *
 * - `write(page)` resolves only when every event of the page is durably accepted, and throws
 *   otherwise. It must be harmless to call again with the same page (the pipeline replays the
 *   page in flight after a crash), keyed on the event id.
 * - Failures are `WesError`s: `WES_ERR_SINK_UNAVAILABLE` (retryable) or `WES_ERR_SINK_REJECTED`.
 * - `write` opens the sink itself when it is not open (its service was down at start, or went away):
 *   the pipeline never opens a sink before writing.
 * - `open()` and `close()` may be called more than once; `probe()` is a cheap readiness check.
 */
export interface Sink {
  readonly name: string;
  readonly type: string;
  open(): Promise<void>;
  write(page: SinkPage): Promise<void>;
  probe(): Promise<void>;
  close(): Promise<void>;
  /**
   * Present on a sink that stores its position in the same transaction as its writes
   * (exactly-once): the pipeline then reads the position from it and passes `SinkPage.commit`.
   */
  readonly positions?: SinkPositions;
}

/** A position in the stream of events: the last event delivered, or a start time (`id` null). */
export interface SinkPosition {
  readonly id: string | null;
  readonly createdAt: string | null;
  readonly filter?: { readonly events: readonly string[]; readonly organizationId: string | null } | undefined;
}

/** The position a sink keeps itself, in its own store, for the pipeline to read and move. */
export interface SinkPositions {
  /** Where the next page starts for this sink; null when it has never stored one. */
  read(): Promise<SinkPosition | null>;
  /** Moves it by hand (`cursor set --sink`, `--from`, `--reset-cursor`): null forgets it. */
  set(position: SinkPosition | null): Promise<void>;
}

/** What a sink that keeps its own position writes in the same transaction as the page. */
export interface SinkCommit {
  /** The position after this page. */
  readonly position: SinkPosition;
  /**
   * Where the stored position must stand for the write to apply (compare-and-set; null: none
   * stored yet). When it stands elsewhere, another writer got there first: the sink writes
   * nothing and throws WES_ERR_LEASE_LOST, and the pipeline reads the position again.
   */
  readonly expected: SinkPosition | null;
  /** The writer's lease token, kept beside the position for people reading it. */
  readonly token?: string | undefined;
}

/** What a sink receives: the events of one page, in order, exactly as WorkOS sent them. */
export interface SinkPage {
  readonly events: readonly WorkOSEvent[];
  /**
   * A sink that makes several requests for one page (the http sink's event mode) calls this right
   * before each one after the first. It throws (WES_ERR_LEASE_LOST) once this instance may no
   * longer write, e.g. it was paused past its leader lease: the sink lets the error through.
   * The pipeline itself calls it before each `write`, so a sink making one request needs nothing.
   */
  readonly beforeRequest?: (() => void) | undefined;
  /** Only for a sink with `positions`: the position to store with this page, atomically. */
  readonly commit?: SinkCommit | undefined;
}

/** What the daemon hands every sink it creates. */
export interface SinkContext {
  readonly logger: Logger;
  /** Where the stdout sink writes; the CLI passes `process.stdout`, tests a buffer. */
  readonly stdout: Writable;
}

/** A strict zod object with `type: z.literal(...)` and the common fields (`sinkCommonFields`), plus the sink's own. */
export type SinkConfigSchema = z.ZodObject<{ type: z.ZodLiteral<string> } & z.ZodRawShape>;

export interface SinkDefinition<S extends SinkConfigSchema = SinkConfigSchema> {
  readonly type: z.infer<S>['type'];
  readonly configSchema: S;
  /** Builds an instance; does no I/O (that happens in `open`). */
  create(config: z.infer<S>, name: string, context: SinkContext): Sink;
}
