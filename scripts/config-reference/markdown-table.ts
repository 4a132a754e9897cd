import type { Row } from './schema-rows.js';

/**
 * A description as Markdown text: what the zod schema says is plain text (editors show it as
 * is), so outside code spans the characters Markdown would take for markup are escaped: `<table>`
 * would be read as HTML, the stars of a cron expression as emphasis, `|` as a table cell's end.
 * An `_` inside a word is no emphasis in GitHub's Markdown, so `organization_id` stays as written.
 */
export function escapeText(text: string): string {
  return text.split(/(`[^`]*`)/).map((part, i) => (i % 2 === 1 ? part : part
    .replace(/\\/g, '\\\\')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/([*|[\]])/g, '\\$1')
    .replace(/(?<![\p{L}\p{N}])_|_(?![\p{L}\p{N}])/gu, '\\_'))).join('').replace(/`([^`]*)`/g, (span) => span.replace(/\|/g, '\\|'));
}

/** The reference table of some rows; the type and default cells are Markdown already. */
export function markdownTable(rows: readonly Row[]): string {
  const lines = ['| key | type | default | meaning |', '|---|---|---|---|'];
  for (const row of rows) lines.push(`| \`${row.key}\` | ${row.type} | ${row.default.replace(/\|/g, '\\|')} | ${row.markdown ? row.meaning : escapeText(row.meaning)} |`);
  return lines.join('\n');
}
