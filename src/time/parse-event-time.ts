/**
 * Parses WorkOS timestamps leniently: ISO-8601 and the older `"2023-04-28 20:05:31.093"` form
 * (UTC, no zone). Returns NaN when the value is not a time.
 */
export function parseEventTime(value: string): number {
  // The usual form ("2026-01-15T10:30:00.000Z") needs no rewriting, and this runs for every event.
  if (value.charCodeAt(10) === 0x54) return Date.parse(value);
  const iso = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}/.test(value) && !/[zZ]|[+-]\d{2}:?\d{2}$/.test(value)
    ? `${value.replace(' ', 'T')}Z`
    : value;
  return Date.parse(iso);
}
