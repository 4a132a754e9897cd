// A stand-alone GET /events server for very large backlogs (1,000,000 events and more) in O(page)
// memory and time: event N is synthesised from its index instead of being stored. The test fake
// (test/fakes/fake-workos.ts) keeps every event as an object, about 4 KB each with its indexes,
// which is too heavy for a million. Payloads come from the same realistic factory (a pool of
// templates, reused round-robin); ids and created_at are derived from the index, so ids sort in
// creation order and `after` resumes in O(1).
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { createEventFactory } from '../../test/fakes/event-factory.js';

export interface SyntheticWorkOSOptions {
  /** How many events the backlog holds. */
  readonly events: number;
  /** The only key accepted (`Authorization: Bearer <apiKey>`). */
  readonly apiKey: string;
  /** created_at of event 0, epoch ms; default 30 days ago (the retention window). */
  readonly startMs?: number;
  /** ms between consecutive created_at; default: the backlog spread over 29 days. */
  readonly spacingMs?: number;
  /** Distinct payloads generated up front and reused; default 2000. */
  readonly templates?: number;
  /** Delay before every answer, ms; default 0. */
  readonly latencyMs?: number;
}

export interface SyntheticWorkOS {
  readonly url: string;
  latencyMs: number;
  /** Requests answered so far. */
  readonly requests: number;
  close(): Promise<void>;
}

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const DAY_MS = 86_400_000;

function base32(value: number, width: number): string {
  let rest = value;
  let out = '';
  for (let i = 0; i < width; i++) {
    out = CROCKFORD[rest % 32] + out;
    rest = Math.floor(rest / 32);
  }
  return out;
}

/** `event_` + a ULID whose time part is the event's created_at and whose random part is its index. */
function idOf(index: number, timeMs: number): string {
  return `event_${base32(timeMs, 10)}${base32(index, 16)}`;
}

function indexOf(id: string): number {
  if (!/^event_[0-9A-HJKMNP-TV-Z]{26}$/.test(id)) return -1;
  let index = 0;
  for (const char of id.slice(-16)) index = index * 32 + CROCKFORD.indexOf(char);
  return index;
}

interface Template {
  readonly type: string;
  /** The serialised event between its id and its created_at. */
  readonly middle: string;
}

export async function startSyntheticWorkOS(options: SyntheticWorkOSOptions): Promise<SyntheticWorkOS> {
  const total = options.events;
  const startMs = options.startMs ?? Date.now() - 30 * DAY_MS;
  const spacingMs = options.spacingMs ?? Math.max(1, Math.floor((29 * DAY_MS) / Math.max(1, total)));
  const factory = createEventFactory(1);
  const templates: Template[] = Array.from({ length: options.templates ?? 2000 }, (_, i) => {
    const generated = factory.next(new Date(startMs + i * spacingMs));
    return { type: generated.type, middle: `","event":${JSON.stringify(generated.type)},"data":${JSON.stringify(generated.data)},"created_at":"` };
  });
  const timeOf = (index: number) => startMs + index * spacingMs;
  const eventJson = (index: number): { id: string; json: string } => {
    const time = timeOf(index);
    const id = idOf(index, time);
    return { id, json: `{"object":"event","id":"${id}${templates[index % templates.length]!.middle}${new Date(time).toISOString()}"}` };
  };

  let requests = 0;
  const sockets = new Set<Socket>();
  const answer = (req: IncomingMessage, res: ServerResponse): void => {
    requests++;
    const url = new URL(req.url ?? '/', 'http://synthetic.invalid');
    const reply = (status: number, body: string): void => {
      res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(body), 'X-Request-ID': `req_${requests}` });
      res.end(body);
    };
    if (/^Bearer\s+(.+)$/i.exec(req.headers.authorization ?? '')?.[1]?.trim() !== options.apiKey) return reply(401, '{"message":"Unauthorized","code":"unauthorized"}');
    if (req.method !== 'GET' || url.pathname !== '/events') return reply(404, '{"message":"Not Found","code":"not_found"}');
    const limit = Math.min(100, Math.max(1, Number(url.searchParams.get('limit') ?? 10) || 10));
    const after = url.searchParams.get('after');
    const rangeStart = url.searchParams.get('range_start');
    const types = [...url.searchParams.getAll('events'), ...url.searchParams.getAll('events[]')].flatMap((v) => v.split(',')).filter((t) => t !== '');
    const wanted = types.length > 0 ? new Set(types) : undefined;
    // Served oldest first whatever `order` says, as the live API is reported to do.
    let index = 0;
    if (after) index = Math.max(0, indexOf(after) + 1);
    else if (rangeStart) index = Math.max(0, Math.ceil((Date.parse(rangeStart) - startMs) / spacingMs));
    // An unknown or expired `after` restarts from the oldest event, as WorkOS's emulator does.
    if (index > total) index = 0;
    const items: string[] = [];
    let lastId: string | null = null;
    for (; index < total && items.length < limit; index++) {
      if (wanted && !wanted.has(templates[index % templates.length]!.type)) continue;
      const { id, json } = eventJson(index);
      items.push(json);
      lastId = id;
    }
    const more = items.length === limit && index < total;
    reply(200, `{"object":"list","data":[${items.join(',')}],"list_metadata":{"after":${more ? JSON.stringify(lastId) : 'null'}}}`);
  };

  const state = { latencyMs: options.latencyMs ?? 0 };
  const server = createServer((req, res) => {
    if (state.latencyMs > 0) setTimeout(() => answer(req, res), state.latencyMs);
    else answer(req, res);
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    get latencyMs() {
      return state.latencyMs;
    },
    set latencyMs(ms: number) {
      state.latencyMs = ms;
    },
    get requests() {
      return requests;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      }),
  };
}
