import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { grafanaQueryMetricNames, promqlMetricNames } from './promql-metric-names.js';

// What deploy/prometheus and deploy/grafana ship, read the way Prometheus and Grafana read them.

export const ALERTS_FILE = fileURLToPath(new URL('../../deploy/prometheus/alerts.yml', import.meta.url));
export const ALERTS_TEST_FILE = fileURLToPath(new URL('../../deploy/prometheus/alerts.test.yml', import.meta.url));
export const DASHBOARD_FILE = fileURLToPath(new URL('../../deploy/grafana/dashboard.json', import.meta.url));
export const MONITORING_DOC = fileURLToPath(new URL('../../docs/monitoring.md', import.meta.url));

export interface AlertRule {
  alert: string;
  expr: string;
  for?: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

export function alertRules(): AlertRule[] {
  const file = parse(readFileSync(ALERTS_FILE, 'utf8')) as { groups: Array<{ rules: AlertRule[] }> };
  return file.groups.flatMap((g) => g.rules);
}

export interface DashboardPanel {
  id: number;
  type: string;
  title: string;
  gridPos: { h: number; w: number; x: number; y: number };
  datasource?: { type: string; uid: string };
  targets?: Array<{ refId: string; expr: string; datasource?: { type: string; uid: string } }>;
  panels?: DashboardPanel[];
  collapsed?: boolean;
}

export interface Dashboard {
  uid: string;
  title: string;
  panels: DashboardPanel[];
  templating: { list: Array<{ name: string; type: string; query: string | { query: string }; datasource?: { type: string; uid: string } }> };
}

export function dashboard(): Dashboard {
  return JSON.parse(readFileSync(DASHBOARD_FILE, 'utf8')) as Dashboard;
}

/** Every panel, rows and the panels inside collapsed rows included, in file order. */
export function allPanels(d: Dashboard): DashboardPanel[] {
  return d.panels.flatMap((p) => [p, ...(p.panels ?? [])]);
}

/** Each metric name the dashboard and the alerts select, with where it is used (for the failure message). */
export function referencedMetricNames(): Map<string, string[]> {
  const uses = new Map<string, string[]>();
  const add = (names: string[], where: string) => {
    for (const name of names) uses.set(name, [...(uses.get(name) ?? []), where]);
  };
  for (const rule of alertRules()) add(promqlMetricNames(rule.expr), `alert ${rule.alert}`);
  const d = dashboard();
  for (const panel of allPanels(d)) {
    for (const target of panel.targets ?? []) add(promqlMetricNames(target.expr), `panel ${panel.id} "${panel.title}"`);
  }
  for (const variable of d.templating.list) {
    if (variable.type !== 'query') continue;
    add(grafanaQueryMetricNames(typeof variable.query === 'string' ? variable.query : variable.query.query), `variable $${variable.name}`);
  }
  return uses;
}
