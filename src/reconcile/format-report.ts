import type { ReconcileReport } from './reconcile-mirror.js';

const value = (column: string, v: unknown): string => (column === 'row' ? String(v) : JSON.stringify(v) ?? 'undefined');

/**
 * The report as people read it: a line per table, then the differences found first, one field
 * a line (`<table> <id> <column>: mirror <value>, WorkOS <value>`, values as JSON), then what
 * `--fix` did.
 */
export function formatReport(report: ReconcileReport, fix: boolean): string {
  const lines: string[] = [];
  for (const t of report.tables) {
    if (t.skipped !== undefined) {
      lines.push(`${t.table}: skipped (${t.skipped})`);
      continue;
    }
    const changing = t.changing > 0 ? `, ${t.changing} changed by events while this ran (compared next time)` : '';
    lines.push(`${t.table}: ${t.compared} compared, ${t.differing} differ${t.differing === 1 ? 's' : ''}${changing}`);
  }
  if (report.differing === 0) {
    lines.push('the mirror matches WorkOS');
    return `${lines.join('\n')}\n`;
  }
  lines.push(`differences (${report.fields} fields in ${report.differing} rows${report.shown.length < report.fields ? `; the first ${report.shown.length}` : ''}):`);
  for (const d of report.shown) lines.push(`  ${d.table} ${d.id} ${d.column}: mirror ${value(d.column, d.mirror)}, WorkOS ${value(d.column, d.workos)}`);
  if (fix) {
    for (const t of report.tables) if (t.fixed > 0) lines.push(`  fixed ${t.fixed} row${t.fixed === 1 ? '' : 's'} of ${t.table}`);
    lines.push(report.unfixed === 0
      ? 'fixed: every differing row now holds what WorkOS has'
      : `${report.unfixed} differing rows changed while reconcile ran and were left to the events; run it again`);
  }
  return `${lines.join('\n')}\n`;
}
