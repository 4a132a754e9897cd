const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;
const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;
const NEWLINE = 0x0a;
const COMMA = 0x2c;
const SPACE = 0x20;
const TAB = 0x09;
const RETURN = 0x0d;
const DATA = Buffer.from('"data"');

/** The index of the quote that closes the string opened at `open`, skipping escaped quotes. */
function stringEnd(bytes: Uint8Array, open: number): number {
  let end = bytes.indexOf(QUOTE, open + 1);
  for (;;) {
    if (end < 0) return -1;
    let slashes = 0;
    while (bytes[end - 1 - slashes] === BACKSLASH) slashes++;
    if (slashes % 2 === 0) return end;
    end = bytes.indexOf(QUOTE, end + 1);
  }
}

function isDataKey(bytes: Uint8Array, open: number, close: number): boolean {
  if (close - open + 1 !== DATA.length) return false;
  for (let i = 0; i < DATA.length; i++) if (bytes[open + i] !== DATA[i]) return false;
  return true;
}

/**
 * Where each element of the top-level `"data"` array lies in a JSON body, as [start, end) byte
 * offsets, flat (`[start0, end0, start1, end1, ...]`): the events exactly as WorkOS sent them, so a sink can write those bytes instead of
 * serializing the parsed event again. Strings are skipped with `indexOf` (they are most of the
 * bytes), so this costs a fraction of JSON.parse. Undefined when the body is not an object with a
 * `data` array of objects, or when an element spans lines (pretty-printed JSON would break a
 * JSON-lines file): callers then serialize as before. Meant for a body JSON.parse accepted.
 */
export function dataElementRanges(bytes: Uint8Array): number[] | undefined {
  const ranges: number[] = [];
  let depth = 0;
  /** The last key seen in the top-level object, as [open, close] quote offsets. */
  let keyAt = -1;
  let keyEnd = -1;
  let inData = false;
  let start = -1;
  for (let i = 0; i < bytes.length; i++) {
    const c = bytes[i]!;
    if (c === QUOTE) {
      if (depth === 2 && inData) return undefined;
      const end = stringEnd(bytes, i);
      if (end < 0) return undefined;
      // At depth 1 the last string before a '[' is that array's key (a string value is followed by a key).
      if (depth === 1) {
        keyAt = i;
        keyEnd = end;
      }
      i = end;
    } else if (c === OPEN_OBJECT || c === OPEN_ARRAY) {
      depth++;
      if (depth === 2 && c === OPEN_ARRAY && keyAt >= 0 && isDataKey(bytes, keyAt, keyEnd)) inData = true;
      else if (depth === 3 && inData) {
        if (c !== OPEN_OBJECT) return undefined;
        start = i;
      }
    } else if (c === CLOSE_OBJECT || c === CLOSE_ARRAY) {
      if (depth === 3 && inData) ranges.push(start, i + 1);
      else if (depth === 2 && inData) return ranges;
      depth--;
    } else if (inData && depth >= 2) {
      // Between elements only whitespace and commas; inside one, a line break (pretty-printed JSON).
      if (depth === 2 ? c !== COMMA && c !== SPACE && c !== TAB && c !== NEWLINE && c !== RETURN : c === NEWLINE || c === RETURN) return undefined;
    }
  }
  return undefined;
}
