import { describe, expect, it } from 'vitest';
import { allPanels, dashboard, type DashboardPanel } from '../support/monitoring-files.js';
import { promqlMetricNames } from '../support/promql-metric-names.js';

const DATASOURCE = { type: 'prometheus', uid: '${datasource}' };

function overlaps(a: DashboardPanel['gridPos'], b: DashboardPanel['gridPos']): boolean {
  return a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;
}

function expectNoOverlap(panels: readonly DashboardPanel[]): void {
  panels.forEach((a, i) => {
    for (const b of panels.slice(i + 1)) expect(overlaps(a.gridPos, b.gridPos), `panels ${a.id} and ${b.id} overlap`).toBe(false);
  });
}

describe('the Grafana dashboard', () => {
  const d = dashboard();
  const panels = allPanels(d);
  const graphs = panels.filter((p) => p.type !== 'row');

  it('asks for its Prometheus data source instead of naming one, so it imports and provisions anywhere', () => {
    const variable = d.templating.list.find((v) => v.name === 'datasource');
    expect(variable).toMatchObject({ type: 'datasource', query: 'prometheus' });
    for (const panel of graphs) {
      expect(panel.datasource, `panel ${panel.id}`).toEqual(DATASOURCE);
      for (const target of panel.targets ?? []) expect(target.datasource, `panel ${panel.id}`).toEqual(DATASOURCE);
    }
    for (const variable of d.templating.list.filter((v) => v.type === 'query')) expect(variable.datasource).toEqual(DATASOURCE);
    expect(d.uid).toBe('workos-events-sync');
  });

  it('groups its panels in rows, with ids of their own and a layout on the 24-column grid without overlaps', () => {
    const ids = panels.map((p) => p.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(d.panels[0]!.type).toBe('row');
    for (const panel of panels) {
      expect(Number.isInteger(panel.id) && panel.id > 0).toBe(true);
      expect(panel.gridPos.x + panel.gridPos.w, `panel ${panel.id}`).toBeLessThanOrEqual(24);
      expect(panel.title, `panel ${panel.id}`).toBeTruthy();
    }
    for (const row of d.panels.filter((p) => p.type === 'row')) {
      if (row.collapsed) expectNoOverlap(row.panels ?? []);
      else expect(row.panels ?? []).toEqual([]);
    }
    expectNoOverlap(d.panels);
  });

  it('queries only the chosen job in every panel', () => {
    for (const panel of graphs) {
      expect(panel.targets?.length, `panel ${panel.id} has queries`).toBeGreaterThan(0);
      const refIds = panel.targets!.map((t) => t.refId);
      expect(new Set(refIds).size).toBe(refIds.length);
      for (const { expr } of panel.targets!) {
        for (const name of promqlMetricNames(expr)) {
          const uses = [...expr.matchAll(new RegExp(`${name}(?![\\w:])(\\{[^}]*\\})?`, 'g'))];
          for (const use of uses) expect(use[1] ?? '', `${name} in panel ${panel.id}`).toContain('job=~"$job"');
        }
      }
    }
  });

  it('shows lag, events and pages per second, requests, 429s and waits, per-sink state and lag, dead letters and the leader role', () => {
    const shown = new Set(graphs.flatMap((p) => (p.targets ?? []).flatMap((t) => promqlMetricNames(t.expr))));
    for (const name of [
      'sink_lag_seconds', 'events_delivered_total', 'pages_total', 'requests_total', 'rate_limited_total',
      'rate_limit_wait_seconds_total', 'sink_halted', 'dead_letters_total', 'leader',
    ]) {
      expect(shown, name).toContain(`workos_events_sync_${name}`);
    }
  });
});
