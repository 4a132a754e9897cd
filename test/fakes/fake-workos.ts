import { randomUUID } from 'node:crypto';
import { createServer, STATUS_CODES, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { WORKOS_EVENT_TYPES } from './event-catalog.js';
import { createEventFactory, type EventFactory } from './event-factory.js';
import { EventStore, type StoredEvent } from './event-store.js';
import { selectEventsPage } from './events-page.js';
import { parseEventsQuery } from './events-query.js';
import { ObjectState, type ObjectStateView } from './object-state.js';
import { createPrng } from './prng.js';
import { FixedWindowRateLimiter } from './rate-limiter.js';
import { resolveScripted, type ScriptedResponse } from './scripted-response.js';
import { handleStateRequest } from './state-api.js';

export type { StoredEvent } from './event-store.js';
export type { ScriptedResponse } from './scripted-response.js';
export type { ListFilter, ListPage, ListQuery, ObjectKind, ObjectStateView, StateObject } from './object-state.js';

export interface FakeWorkOSOptions {
  /** Port on 127.0.0.1; default 0 (an ephemeral port). */
  port?: number;
  /** The only secret key accepted (`Authorization: Bearer <apiKey>`); default `'sk_test_fake'`. */
  apiKey?: string;
  /** Clock for created_at and the rate-limit window; default `() => new Date()`. */
  now?: () => Date;
  /**
   * Types the `events` filter accepts; default WORKOS_EVENT_TYPES. Types of events added with
   * addEvent are accepted too, so future types stored in the log can still be filtered on.
   */
  knownEventTypes?: Iterable<string>;
  /** Seed of the random part of event ids, so ids repeat from run to run; default 1. */
  idSeed?: number;
}

export interface AddEventOptions {
  /** Default: the fake's clock. Must not be older than the newest event (the log is append-only). */
  createdAt?: Date | string;
  /** Organization for the `organization_id` filter; default derived from `data`. */
  organizationId?: string;
  /** Serialised as the event's optional `context`. */
  context?: Record<string, unknown>;
}

/** What addEvents' generator returns for each event. */
export interface EventInput extends AddEventOptions {
  type: string;
  data: Record<string, unknown>;
}

export interface RecordedRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  /** Status sent; 0 while pending, or when the socket was reset without an answer. */
  status: number;
  /** When the request arrived, by the wall clock (ms), for tests of waits between requests. */
  receivedAt: number;
}

export interface FakeWorkOS {
  /** e.g. `http://127.0.0.1:54321`. */
  readonly url: string;
  readonly port: number;
  /** The log, oldest first (a live read-only view). */
  readonly events: readonly StoredEvent[];
  /**
   * The WorkOS objects the events describe, as the state APIs serve them (a live read-only
   * view, updated as events are added; retention does not change it).
   */
  readonly state: ObjectStateView;
  /** Every request received, in arrival order. */
  readonly requests: readonly RecordedRequest[];
  /** Scripted responses not yet consumed. */
  readonly pendingScript: number;
  apiKey: string;
  now: () => Date;
  /** GET /events only: ignore `after`, answering from the start of the requested order, as a broken server would. */
  ignoreCursor: boolean;
  /** GET /events only: answer oldest first whatever `order` says (reported of the live API). */
  ignoreOrder: boolean;
  /** Delay before every answer (every path), in ms; default 0. */
  latencyMs: number;
  /** Fixed-window limiter (every path) answering 429 with Retry-After (s); undefined (default) turns it off. */
  rateLimit: { perMinute: number } | undefined;
  addEvent(type: string, data: Record<string, unknown>, options?: AddEventOptions): StoredEvent;
  /** Adds n events; the default generator is a realistic seeded mix (createEventFactory(1)). */
  addEvents(n: number, generator?: (index: number) => EventInput): StoredEvent[];
  /** Drops events created before the cutoff (retention): their ids become unknown cursors. */
  removeEventsBefore(cutoff: Date | string): number;
  script(...responses: ScriptedResponse[]): void;
  clearRequests(): void;
  /** Closes the server and every open socket; idempotent. */
  close(): Promise<void>;
}

export async function startFakeWorkOS(options: FakeWorkOSOptions = {}): Promise<FakeWorkOS> {
  const fake = new FakeWorkOSServer(options);
  await fake.listen(options.port ?? 0);
  return fake;
}

class FakeWorkOSServer implements FakeWorkOS {
  apiKey: string;
  now: () => Date;
  ignoreCursor = false;
  ignoreOrder = false;
  latencyMs = 0;

  readonly #store: EventStore;
  readonly #state = new ObjectState();
  readonly #knownTypes: Set<string>;
  readonly #requests: RecordedRequest[] = [];
  readonly #script: ScriptedResponse[] = [];
  readonly #sockets = new Set<Socket>();
  readonly #shutdown = new AbortController();
  readonly #server = createServer((req, res) => void this.#handle(req, res));
  #limiter: FixedWindowRateLimiter | undefined;
  #defaultFactory: EventFactory | undefined;
  #port = 0;
  #closed: Promise<void> | undefined;

  constructor(options: FakeWorkOSOptions) {
    this.apiKey = options.apiKey ?? 'sk_test_fake';
    this.now = options.now ?? (() => new Date());
    this.#knownTypes = new Set(options.knownEventTypes ?? WORKOS_EVENT_TYPES);
    this.#store = new EventStore(createPrng(options.idSeed ?? 1));
    this.#server.on('connection', (socket) => {
      this.#sockets.add(socket);
      socket.once('close', () => this.#sockets.delete(socket));
    });
  }

  async listen(port: number): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.#server.once('error', reject);
      this.#server.listen(port, '127.0.0.1', () => {
        this.#server.off('error', reject);
        resolve();
      });
    });
    this.#port = (this.#server.address() as AddressInfo).port;
  }

  get url(): string {
    return `http://127.0.0.1:${this.#port}`;
  }

  get port(): number {
    return this.#port;
  }

  get events(): readonly StoredEvent[] {
    return this.#store.events;
  }

  get state(): ObjectStateView {
    return this.#state;
  }

  get requests(): readonly RecordedRequest[] {
    return this.#requests;
  }

  get pendingScript(): number {
    return this.#script.length;
  }

  get rateLimit(): { perMinute: number } | undefined {
    return this.#limiter ? { perMinute: this.#limiter.perMinute } : undefined;
  }

  set rateLimit(value: { perMinute: number } | undefined) {
    this.#limiter = value ? new FixedWindowRateLimiter(value.perMinute) : undefined;
  }

  addEvent(type: string, data: Record<string, unknown>, options: AddEventOptions = {}): StoredEvent {
    const event = this.#store.append({
      type,
      data,
      createdAtMs: this.#createdAtMs(options.createdAt),
      organizationId: options.organizationId,
      context: options.context,
    });
    this.#state.apply(event);
    this.#knownTypes.add(type);
    return event;
  }

  addEvents(n: number, generator?: (index: number) => EventInput): StoredEvent[] {
    const next =
      generator ??
      (() => {
        this.#defaultFactory ??= createEventFactory(1);
        const createdAt = new Date(this.#createdAtMs(undefined));
        return { ...this.#defaultFactory.next(createdAt), createdAt };
      });
    return Array.from({ length: n }, (_, index) => {
      const { type, data, ...options } = next(index);
      return this.addEvent(type, data, options);
    });
  }

  removeEventsBefore(cutoff: Date | string): number {
    return this.#store.removeBefore(new Date(cutoff).getTime());
  }

  script(...responses: ScriptedResponse[]): void {
    this.#script.push(...responses);
  }

  clearRequests(): void {
    this.#requests.length = 0;
  }

  close(): Promise<void> {
    this.#closed ??= new Promise<void>((resolve) => {
      this.#shutdown.abort();
      this.#server.close(() => resolve());
      this.#server.closeAllConnections();
      for (const socket of this.#sockets) socket.destroy();
    });
    return this.#closed;
  }

  #createdAtMs(createdAt: Date | string | undefined): number {
    if (createdAt !== undefined) {
      const ms = new Date(createdAt).getTime();
      if (Number.isNaN(ms)) throw new TypeError(`invalid createdAt: ${String(createdAt)}`);
      return ms;
    }
    const ms = this.now().getTime();
    if (Number.isNaN(ms)) throw new TypeError('the fake clock returned an invalid date');
    // A clock stepped back by a test must not reorder the log: created_at never decreases.
    return Math.max(ms, this.#store.lastCreatedAtMs ?? ms);
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://fake.invalid');
    const record: RecordedRequest = {
      method: req.method ?? 'GET',
      path: url.pathname,
      query: url.searchParams,
      headers: req.headers,
      status: 0,
      receivedAt: Date.now(),
    };
    this.#requests.push(record);
    const incomingId = req.headers['x-request-id'];
    const requestId = typeof incomingId === 'string' && incomingId !== '' ? incomingId : `req_${randomUUID()}`;
    const reply = (status: number, body: string, contentType: string, headers: Record<string, string> = {}): void => {
      if (res.destroyed || res.headersSent) return;
      record.status = status;
      res.writeHead(status, {
        'Content-Type': contentType,
        'Content-Length': Buffer.byteLength(body),
        'X-Request-ID': requestId,
        ...headers,
      });
      res.end(body);
    };
    const json = (status: number, body: unknown, headers?: Record<string, string>): void =>
      reply(status, JSON.stringify(body), 'application/json; charset=utf-8', headers);

    try {
      // Taken on arrival, so concurrent requests consume the script in the order they came in.
      const scripted = this.#script.shift();
      if (this.latencyMs > 0 && !(await this.#wait(this.latencyMs))) return;
      if (scripted) {
        const action = resolveScripted(scripted, (status) => STATUS_CODES[status] ?? 'Error');
        if (action.type === 'reset') {
          req.socket.destroy();
          return;
        }
        if (action.type === 'reply') return reply(action.status, action.body, action.contentType, action.headers);
        if (action.type === 'delay' && !(await this.#wait(action.ms))) return;
      }
      this.#route(req, url, json);
    } catch (error) {
      json(500, { message: 'Internal Server Error', code: 'server_error', detail: String(error) });
    }
  }

  #route(
    req: IncomingMessage,
    url: URL,
    json: (status: number, body: unknown, headers?: Record<string, string>) => void,
  ): void {
    // As in WorkOS's emulator: authentication first (even for unknown paths), then the limiter.
    const authorization = req.headers.authorization ?? '';
    const token = /^Bearer\s+(.+)$/i.exec(authorization)?.[1]?.trim();
    if (token !== this.apiKey) return json(401, { message: 'Unauthorized', code: 'unauthorized' });

    let limitHeaders: Record<string, string> = {};
    if (this.#limiter) {
      const decision = this.#limiter.take(this.now().getTime());
      limitHeaders = decision.headers;
      if (!decision.allowed) {
        return json(429, { message: 'Too Many Requests', code: 'rate_limit_exceeded' }, limitHeaders);
      }
    }

    const notFound = (): void => json(404, { message: 'Not Found', code: 'not_found' }, limitHeaders);
    if (req.method !== 'GET') return notFound();
    if (url.pathname !== '/events') {
      const answer = handleStateRequest(this.#state, url.pathname, url.searchParams);
      if (!answer) return notFound();
      return json(answer.status, answer.body, limitHeaders);
    }

    const parsed = parseEventsQuery(url.searchParams, (type) => this.#knownTypes.has(type));
    if (!parsed.ok) return json(422, parsed.error, limitHeaders);
    const page = selectEventsPage(this.#store, parsed.query, {
      ignoreCursor: this.ignoreCursor,
      ignoreOrder: this.ignoreOrder,
    });
    json(200, { object: 'list', data: page.data, list_metadata: { after: page.after } }, limitHeaders);
  }

  /** Resolves false when the fake closed meanwhile: the answer must then be dropped. */
  async #wait(ms: number): Promise<boolean> {
    try {
      await sleep(ms, undefined, { signal: this.#shutdown.signal });
      return true;
    } catch {
      return false;
    }
  }
}
