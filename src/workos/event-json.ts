import { dataElementRanges } from './data-element-ranges.js';

/** A page's body and where each of its events lies in it. */
interface RawPage {
  readonly bytes: Buffer;
  /** Flat [start, end) pairs, one per event, in page order. */
  readonly ranges: readonly number[];
  /** Events are separated by exactly one byte (a comma): compact JSON, the usual case. */
  readonly compact: boolean;
}

interface RawRef {
  readonly page: RawPage;
  readonly index: number;
}

/** Each event's place in the body it was parsed from, keyed by the parsed event (which stays untouched). */
const refs = new WeakMap<object, RawRef>();

/**
 * Remembers where each event of a page lies in the bytes it was parsed from, when the body is
 * laid out so that they can be found (see dataElementRanges); otherwise remembers nothing.
 */
export function rememberRawJson(events: readonly object[], bytes: Buffer): void {
  const ranges = dataElementRanges(bytes);
  if (!ranges || ranges.length !== events.length * 2) return;
  let compact = true;
  for (let i = 2; i < ranges.length && compact; i += 2) compact = ranges[i]! === ranges[i - 1]! + 1;
  const page: RawPage = { bytes, ranges, compact };
  for (let index = 0; index < events.length; index++) refs.set(events[index]!, { page, index });
}

/**
 * The event as JSON bytes for a message or a line: exactly as WorkOS sent them when known (no
 * second serialization, and WorkOS's own text: numbers and escapes as sent), else serialized.
 */
export function eventJson(event: object): Buffer {
  const ref = refs.get(event);
  if (!ref) return Buffer.from(JSON.stringify(event));
  const at = ref.index * 2;
  return ref.page.bytes.subarray(ref.page.ranges[at], ref.page.ranges[at + 1]);
}

/** The page's JSON lines when `events` are consecutive events of one compact body, else undefined. */
function consecutiveLines(events: readonly object[]): Buffer | undefined {
  const first = refs.get(events[0]!);
  if (!first?.page.compact) return undefined;
  for (let k = 1; k < events.length; k++) {
    const ref = refs.get(events[k]!);
    if (ref?.page !== first.page || ref.index !== first.index + k) return undefined;
  }
  const { bytes, ranges } = first.page;
  const start = ranges[first.index * 2]!;
  const end = ranges[(first.index + events.length - 1) * 2 + 1]!;
  // One copy of the events as they lie in the body; each comma between two of them becomes a newline.
  const out = Buffer.allocUnsafe(end - start + 1);
  bytes.copy(out, 0, start, end);
  for (let k = 0; k < events.length; k++) out[ranges[(first.index + k) * 2 + 1]! - start] = 0x0a;
  return out;
}

/** A page as JSON lines, one event per line, in one buffer. */
export function jsonLines(events: readonly object[]): Buffer {
  if (events.length === 0) return Buffer.alloc(0);
  const lines = consecutiveLines(events);
  if (lines) return lines;
  const parts = events.map(eventJson);
  const out = Buffer.allocUnsafe(parts.reduce((sum, part) => sum + part.length + 1, 0));
  let offset = 0;
  for (const part of parts) {
    offset += part.copy(out, offset);
    out[offset++] = 0x0a;
  }
  return out;
}
