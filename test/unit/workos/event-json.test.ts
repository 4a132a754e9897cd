import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { dataElementRanges } from '../../../src/workos/data-element-ranges.js';
import { eventJson, jsonLines } from '../../../src/workos/event-json.js';
import { parseEventsPage } from '../../../src/workos/parse-events-page.js';

const RUNS = Number(process.env.FC_NUM_RUNS ?? 300);

/** Parses a body as the WorkOS client does: the JSON, and the bytes it came from. */
function page(text: string) {
  const bytes = Buffer.from(text);
  return parseEventsPage(JSON.parse(text), bytes);
}

const lines = (buffer: Buffer) => buffer.toString('utf8').split('\n');

const event = fc.record({
  object: fc.constant('event'),
  id: fc.string({ minLength: 1 }).map((s) => `event_${s}`),
  event: fc.constantFrom('user.created', 'dsync.user.updated', 'a"quoted\\type', 'ünïcode.type'),
  // Strings full of quotes, backslashes, brackets and non-ASCII, nested objects and arrays: what the scanner must skip.
  data: fc.dictionary(fc.string(), fc.jsonValue({ maxDepth: 3 }), { maxKeys: 6 }),
  created_at: fc.constant('2026-01-15T10:30:00.000Z'),
});

describe('an event as JSON', () => {
  it('is the bytes WorkOS sent, line by line, for any page written compactly', () => {
    fc.assert(
      fc.property(fc.array(event, { maxLength: 20 }), fc.string(), (events, after) => {
        const body = { object: 'list', data: events, list_metadata: { after, data: ['not', 'these'] } };
        const parsed = page(JSON.stringify(body));
        const expected = events.map((e) => JSON.stringify(e));
        expect(lines(jsonLines(parsed.events))).toEqual([...expected, '']);
        for (const [i, e] of parsed.events.entries()) expect(eventJson(e).toString('utf8')).toBe(expected[i]);
        // Any subset (a sink's event filter, a lane held back) gets its own events, in order.
        const odd = parsed.events.filter((_, i) => i % 2 === 1);
        expect(lines(jsonLines(odd)).slice(0, -1).map((l) => JSON.parse(l) as unknown)).toEqual(odd);
      }),
      { numRuns: RUNS },
    );
  });

  it('finds the events wherever "data" sits among the keys, and with whitespace between them', () => {
    fc.assert(
      fc.property(fc.array(event, { minLength: 1, maxLength: 8 }), fc.constantFrom(' ', '\n', '\r\n  ', ''), (events, gap) => {
        const items = events.map((e) => JSON.stringify(e)).join(`,${gap}`);
        const text = `{${gap}"list_metadata":{"data":[1]},${gap}"object":"data",${gap}"data":${gap}[${gap}${items}${gap}]${gap}}`;
        const parsed = page(text);
        expect(parsed.events.map((e) => eventJson(e).toString('utf8'))).toEqual(events.map((e) => JSON.stringify(e)));
        // Compared as JSON says (-0 is written 0).
        expect(lines(jsonLines(parsed.events)).slice(0, -1).map((l) => JSON.parse(l) as unknown)).toEqual(JSON.parse(JSON.stringify(events)));
      }),
      { numRuns: RUNS },
    );
  });

  it('keeps numbers and escapes as WorkOS wrote them', () => {
    const text = '{"data":[{"id":"event_1","event":"user.created","created_at":"2026-01-15T10:30:00.000Z","data":{"n":1.0,"big":1e3,"name":"Ren\\u00e9e \\"R\\""}}]}';
    const parsed = page(text);
    expect(jsonLines(parsed.events).toString('utf8')).toBe(`${text.slice(9, -2)}\n`);
  });

  it('falls back to serializing an event that WorkOS sent over several lines', () => {
    const e = { id: 'event_1', event: 'user.created', created_at: '2026-01-15T10:30:00.000Z', data: { id: 'user_1' } };
    const parsed = page(JSON.stringify({ data: [e, { ...e, id: 'event_2' }] }, null, 2));
    expect(lines(jsonLines(parsed.events))).toEqual([JSON.stringify(e), JSON.stringify({ ...e, id: 'event_2' }), '']);
  });

  it('serializes events that did not come from a page', () => {
    const e = { id: 'event_1', event: 'user.created', created_at: '2026-01-15T10:30:00.000Z', data: {} };
    expect(jsonLines([e]).toString('utf8')).toBe(`${JSON.stringify(e)}\n`);
    expect(jsonLines([]).length).toBe(0);
  });

  it('finds no events in a body that has no "data" array of objects', () => {
    for (const text of ['{"object":"list"}', '{"data":{"a":[{"b":1}]}}', '{"data":[1,2]}', '[{"data":[{"a":1}]}]', '{"x":{"data":[{"a":1}]}}']) {
      expect(dataElementRanges(Buffer.from(text)), text).toBeUndefined();
    }
    expect(dataElementRanges(Buffer.from('{"data":[]}'))).toEqual([]);
  });
});
