import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { metricsTable, MONITORING_DOC, withMetricsTable } from '../../../scripts/metrics-doc.js';

describe('the metrics table of docs/monitoring.md', () => {
  it('is the one generated from the registry (run "npx tsx scripts/metrics-doc.ts" after changing a metric)', async () => {
    const doc = await readFile(MONITORING_DOC, 'utf8');
    expect(doc).toBe(withMetricsTable(doc, await metricsTable()));
  });
});
