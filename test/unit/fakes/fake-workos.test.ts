import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startFakeWorkOS, type FakeWorkOS, type StoredEvent } from '../../fakes/fake-workos.js';
import { seedBacklog } from '../../fakes/seed-backlog.js';

interface ListBody {
  object: string;
  data: StoredEvent[];
  list_metadata: { after: string | null };
}

let fake: FakeWorkOS;
let clockMs: number;

beforeEach(async () => {
  clockMs = Date.parse('2026-02-01T12:00:00.000Z');
  fake = await startFakeWorkOS({ now: () => new Date(clockMs) });
});

afterEach(async () => {
  await fake.close();
});

function get(query: string, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${fake.url}/events${query ? `?${query}` : ''}`, {
    headers: { Authorization: `Bearer ${fake.apiKey}`, ...headers },
  });
}

async function list(query: string): Promise<ListBody> {
  const response = await get(query);
  expect(response.status).toBe(200);
  return (await response.json()) as ListBody;
}

function addUsers(n: number): StoredEvent[] {
  return Array.from({ length: n }, (_, i) => {
    clockMs += 1000;
    return fake.addEvent('user.created', { object: 'user', id: `user_${i}` });
  });
}

describe('the fake WorkOS GET /events', () => {
  it('serves events shaped like the real API, with monotonic ids', async () => {
    fake.addEvent('user.created', { object: 'user', id: 'user_1' }, { context: { client_id: 'client_1' } });
    fake.addEvent('user.updated', { object: 'user', id: 'user_1' });
    const response = await get('order=asc');
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    expect(response.headers.get('x-request-id')).toMatch(/^req_/);
    const body = (await response.json()) as ListBody;
    expect(body.object).toBe('list');
    const [first, second] = body.data;
    expect(first).toEqual({
      object: 'event',
      id: expect.stringMatching(/^event_[0-9A-HJKMNP-TV-Z]{26}$/),
      event: 'user.created',
      data: { object: 'user', id: 'user_1' },
      created_at: '2026-02-01T12:00:00.000Z',
      context: { client_id: 'client_1' },
    });
    expect((second?.id ?? '') > (first?.id ?? '')).toBe(true);
  });

  it('returns the newest events first when order is absent, as documented', async () => {
    const [a, b, c] = addUsers(3);
    const body = await list('');
    expect(body.data.map((e) => e.id)).toEqual([c?.id, b?.id, a?.id]);
  });

  it('treats order=normal as ascending and rejects other orders with 422', async () => {
    const [a] = addUsers(2);
    expect((await list('order=normal')).data[0]?.id).toBe(a?.id);
    const response = await get('order=sideways');
    expect(response.status).toBe(422);
    expect(await response.json()).toMatchObject({ errors: [{ code: 'invalid_order', field: 'order' }] });
  });

  it('pages through everything exactly once with order=asc and after, ending with a null cursor', async () => {
    const added = addUsers(25);
    const seen: string[] = [];
    let after: string | undefined;
    let pages = 0;
    for (;;) {
      const body = await list(`order=asc&limit=10${after ? `&after=${after}` : ''}`);
      pages++;
      seen.push(...body.data.map((e) => e.id));
      if (body.list_metadata.after === null) break;
      expect(body.list_metadata.after).toBe(body.data.at(-1)?.id);
      after = body.list_metadata.after;
    }
    expect(pages).toBe(3);
    expect(seen).toEqual(added.map((e) => e.id));
  });

  it('returns a null cursor when the last page is exactly full', async () => {
    addUsers(10);
    const body = await list('order=asc&limit=10');
    expect(body.data).toHaveLength(10);
    expect(body.list_metadata.after).toBeNull();
  });

  it('returns an empty page after the newest event', async () => {
    const added = addUsers(3);
    const body = await list(`order=asc&after=${added.at(-1)?.id}`);
    expect(body).toEqual({ object: 'list', data: [], list_metadata: { after: null } });
  });

  it('silently restarts from the oldest event when after is unknown, as the emulator does', async () => {
    const [a] = addUsers(3);
    const body = await list('order=asc&after=event_01JUNKNOWN0000000000000000');
    expect(body.data[0]?.id).toBe(a?.id);
  });

  it('restarts from the oldest event when the cursor expired through retention', async () => {
    const added = addUsers(5);
    expect(fake.removeEventsBefore(added[3]?.created_at ?? '')).toBe(3);
    const body = await list(`order=asc&after=${added[1]?.id}`);
    expect(body.data.map((e) => e.id)).toEqual([added[3]?.id, added[4]?.id]);
  });

  it('rejects a limit outside 1..100 with 422 and errors[]', async () => {
    for (const limit of ['0', '101', 'ten']) {
      const response = await get(`limit=${limit}`);
      expect(response.status).toBe(422);
      expect(await response.json()).toMatchObject({
        message: expect.any(String),
        errors: [{ code: 'invalid_limit', field: 'limit' }],
      });
    }
    expect((await get('limit=100')).status).toBe(200);
  });

  it('filters by type with both the comma-joined and the events[] forms', async () => {
    fake.addEvent('user.created', { id: 'user_1' });
    fake.addEvent('dsync.user.created', { id: 'directory_user_1' });
    fake.addEvent('organization.created', { id: 'org_1' });
    const comma = await list('order=asc&events=user.created,organization.created');
    const brackets = await list('order=asc&events[]=user.created&events[]=organization.created');
    expect(comma.data.map((e) => e.event)).toEqual(['user.created', 'organization.created']);
    expect(brackets.data).toEqual(comma.data);
  });

  it('rejects an unknown type in the filter with 422 invalid_event_type', async () => {
    const response = await get('events=user.created,user.frobnicated');
    expect(response.status).toBe(422);
    expect(response.headers.get('x-request-id')).toBeTruthy();
    expect(await response.json()).toMatchObject({
      message: expect.stringContaining('user.frobnicated'),
      errors: [{ code: 'invalid_event_type', field: 'events' }],
    });
  });

  it('accepts in the filter a future type that was added to the log', async () => {
    fake.addEvent('widget.frobnicated', { object: 'widget', id: 'widget_1' });
    const body = await list('events=widget.frobnicated');
    expect(body.data.map((e) => e.event)).toEqual(['widget.frobnicated']);
  });

  it('filters by organization, including organization events by their own id', async () => {
    fake.addEvent('organization.created', { object: 'organization', id: 'org_A' });
    fake.addEvent('dsync.user.created', { id: 'directory_user_1', organization_id: 'org_A' });
    fake.addEvent('dsync.user.created', { id: 'directory_user_2', organization_id: 'org_B' });
    fake.addEvent('user.created', { id: 'user_1' });
    fake.addEvent('dsync.group.user_added', { directory_id: 'directory_1' }, { organizationId: 'org_A' });
    const body = await list('order=asc&organization_id=org_A');
    expect(body.data.map((e) => e.event)).toEqual(['organization.created', 'dsync.user.created', 'dsync.group.user_added']);
  });

  it('bounds created_at with range_start inclusive and range_end exclusive', async () => {
    const added = addUsers(5);
    const body = await list(`order=asc&range_start=${added[1]?.created_at}&range_end=${added[3]?.created_at}`);
    expect(body.data.map((e) => e.id)).toEqual([added[1]?.id, added[2]?.id]);
  });

  it('rejects after together with range_start with 422', async () => {
    const [a] = addUsers(1);
    const response = await get(`after=${a?.id}&range_start=2026-01-01T00:00:00.000Z`);
    expect(response.status).toBe(422);
    expect(await response.json()).toMatchObject({ errors: [{ code: 'mutually_exclusive', field: 'range_start' }] });
  });

  it('pages backwards with before', async () => {
    const added = addUsers(4);
    const body = await list(`order=desc&before=${added[1]?.id}`);
    expect(body.data.map((e) => e.id)).toEqual([added[3]?.id, added[2]?.id]);
  });
});

describe('the fake WorkOS outside the happy path', () => {
  it('answers 401 JSON to a wrong or missing key', async () => {
    const wrong = await fetch(`${fake.url}/events`, { headers: { Authorization: 'Bearer sk_test_wrong' } });
    expect(wrong.status).toBe(401);
    expect(wrong.headers.get('x-request-id')).toBeTruthy();
    expect(await wrong.json()).toMatchObject({ message: 'Unauthorized' });
    expect((await fetch(`${fake.url}/events`)).status).toBe(401);
  });

  it('answers 404 JSON on other paths', async () => {
    const response = await fetch(`${fake.url}/widgets`, { headers: { Authorization: `Bearer ${fake.apiKey}` } });
    expect(response.status).toBe(404);
    expect(await response.json()).toMatchObject({ message: 'Not Found' });
  });

  it('echoes the X-Request-ID the client sent', async () => {
    const response = await get('', { 'X-Request-ID': 'req_mine' });
    expect(response.headers.get('x-request-id')).toBe('req_mine');
  });

  it('plays a scripted 429 with Retry-After, then answers normally', async () => {
    addUsers(1);
    fake.script({ status: 429, json: { message: 'Rate limit exceeded' }, headers: { 'Retry-After': '2' } });
    const limited = await get('order=asc');
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('2');
    expect(await limited.json()).toEqual({ message: 'Rate limit exceeded' });
    expect((await get('order=asc')).status).toBe(200);
    expect(fake.requests.map((r) => r.status)).toEqual([429, 200]);
  });

  it('plays a scripted HTML 502 as text/html', async () => {
    fake.script({ status: 502, html: '<html>Bad Gateway</html>' });
    const response = await get('');
    expect(response.status).toBe(502);
    expect(response.headers.get('content-type')).toMatch(/^text\/html/);
    expect(await response.text()).toBe('<html>Bad Gateway</html>');
  });

  it('plays a scripted reset as a network error', async () => {
    fake.script({ kind: 'reset' });
    await expect(get('')).rejects.toThrow();
    expect(fake.requests[0]?.status).toBe(0);
    expect((await get('')).status).toBe(200);
  });

  it('plays a scripted malformed body that fails to parse', async () => {
    fake.script({ kind: 'body', status: 200, body: '{"object":"list","data":[' });
    const response = await get('');
    expect(response.status).toBe(200);
    await expect(response.json()).rejects.toThrow(SyntaxError);
  });

  it('plays a scripted delay before answering normally, and passthrough in a sequence', async () => {
    fake.script({ kind: 'passthrough' }, { kind: 'delay', ms: 60 }, { status: 500, json: { message: 'Internal' } });
    expect((await get('')).status).toBe(200);
    const started = performance.now();
    expect((await get('')).status).toBe(200);
    expect(performance.now() - started).toBeGreaterThanOrEqual(50);
    expect((await get('')).status).toBe(500);
    expect(fake.pendingScript).toBe(0);
  });

  it('ignores after when ignoreCursor is set, serving the oldest events again', async () => {
    const added = addUsers(3);
    fake.ignoreCursor = true;
    const body = await list(`order=asc&limit=2&after=${added[1]?.id}`);
    expect(body.data.map((e) => e.id)).toEqual([added[0]?.id, added[1]?.id]);
  });

  it('serves oldest first whatever the order when ignoreOrder is set', async () => {
    const [a] = addUsers(3);
    fake.ignoreOrder = true;
    expect((await list('order=desc')).data[0]?.id).toBe(a?.id);
  });

  it('rate-limits per fixed window when rateLimit is set, until the clock moves on', async () => {
    fake.rateLimit = { perMinute: 2 };
    expect((await get('')).headers.get('x-ratelimit-remaining')).toBe('1');
    expect((await get('')).status).toBe(200);
    const limited = await get('');
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('60');
    expect(limited.headers.get('x-ratelimit-limit')).toBe('2');
    expect(limited.headers.get('x-ratelimit-remaining')).toBe('0');
    expect(Number(limited.headers.get('x-ratelimit-reset'))).toBe(Math.ceil((clockMs + 60_000) / 1000));
    clockMs += 60_000;
    expect((await get('')).status).toBe(200);
  });

  it('records the method, path and query of every request', async () => {
    await get('order=asc&limit=100&events=user.created');
    const [request] = fake.requests;
    expect(request).toMatchObject({ method: 'GET', path: '/events', status: 200 });
    expect(request?.query.get('limit')).toBe('100');
    expect(request?.headers.authorization).toBe(`Bearer ${fake.apiKey}`);
    fake.clearRequests();
    expect(fake.requests).toHaveLength(0);
  });

  it('never lets created_at go backwards when the clock steps back', () => {
    const first = fake.addEvent('user.created', { id: 'user_1' });
    clockMs -= 60_000;
    const second = fake.addEvent('user.created', { id: 'user_2' });
    expect(second.created_at).toBe(first.created_at);
    expect(second.id > first.id).toBe(true);
    expect(() => fake.addEvent('user.created', { id: 'user_3' }, { createdAt: '2020-01-01T00:00:00Z' })).toThrow(RangeError);
  });

  it('adds a realistic generated backlog with addEvents and seedBacklog', () => {
    expect(fake.addEvents(5)).toHaveLength(5);
    const seeded = seedBacklog(fake, 3, { seed: 7, start: '2026-03-01T00:00:00.000Z', spacingMs: 500 });
    expect(seeded.map((e) => e.created_at)).toEqual([
      '2026-03-01T00:00:00.000Z',
      '2026-03-01T00:00:00.500Z',
      '2026-03-01T00:00:01.000Z',
    ]);
    expect(fake.events).toHaveLength(8);
  });

  it('drops open connections on close, and close is idempotent', async () => {
    fake.script({ kind: 'delay', ms: 10_000 });
    const pending = get('');
    await new Promise((resolve) => setTimeout(resolve, 50));
    await Promise.all([fake.close(), fake.close()]);
    await expect(pending).rejects.toThrow();
  });
});
