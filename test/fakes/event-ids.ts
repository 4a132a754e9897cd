/** Crockford base32, the ULID alphabet: no I, L, O, U, so ids survive being read aloud. */
const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const TIME_CHARS = 10;
const RANDOM_CHARS = 16;

/**
 * Returns a generator of 26-character monotonic ULIDs. Ids generated for the same (or an
 * earlier) millisecond increment the random part instead of drawing a new one, so ids always
 * sort in generation order, like the real `event_01H...` ids sort in creation order.
 */
export function createUlidGenerator(random: () => number = Math.random): (timeMs: number) => string {
  let lastTime = -1;
  let digits: number[] = [];
  return (timeMs) => {
    const time = Math.max(Math.floor(timeMs), lastTime);
    if (time === lastTime) {
      increment(digits);
    } else {
      digits = Array.from({ length: RANDOM_CHARS }, () => Math.floor(random() * 32));
    }
    lastTime = time;
    return encodeTime(time) + digits.map((d) => CROCKFORD[d]).join('');
  };
}

/** Returns a generator of WorkOS-shaped event ids: `event_` + a monotonic ULID. */
export function createEventIdGenerator(random?: () => number): (timeMs: number) => string {
  const ulid = createUlidGenerator(random);
  return (timeMs) => `event_${ulid(timeMs)}`;
}

function encodeTime(timeMs: number): string {
  if (timeMs < 0 || timeMs >= 2 ** 48) throw new RangeError(`ULID time out of range: ${timeMs}`);
  let rest = timeMs;
  let out = '';
  for (let i = 0; i < TIME_CHARS; i++) {
    out = CROCKFORD[rest % 32] + out;
    rest = Math.floor(rest / 32);
  }
  return out;
}

function increment(digits: number[]): void {
  for (let i = digits.length - 1; i >= 0; i--) {
    const next = (digits[i] ?? 0) + 1;
    if (next < 32) {
      digits[i] = next;
      return;
    }
    digits[i] = 0;
  }
  throw new RangeError('ULID random part overflowed within one millisecond');
}
