import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { ALERTS_FILE, ALERTS_TEST_FILE, alertRules, MONITORING_DOC } from '../support/monitoring-files.js';

/** promtool from Debian's prometheus package (.ci/run installs it): missing, the test fails. */
function promtool(...args: string[]) {
  const result = spawnSync('promtool', args, { encoding: 'utf8' });
  if (result.error) throw new Error(`promtool could not run (${result.error.message}): apt-get install --no-install-recommends prometheus`);
  return { code: result.status, output: `${result.stdout}${result.stderr}` };
}

/** GitHub's anchor for a Markdown heading. */
function anchor(heading: string): string {
  return heading.trim().toLowerCase().replace(/[^\p{L}\p{N}\s_-]/gu, '').replace(/\s/g, '-');
}

interface RulesTestFile {
  tests: Array<{ name: string; alert_rule_test?: Array<{ alertname: string; exp_alerts?: unknown[] }> }>;
}

describe('the Prometheus alerts', () => {
  it('are valid rules for promtool', () => {
    const check = promtool('check', 'rules', ALERTS_FILE);
    expect(check.output).toContain('SUCCESS');
    expect(check.code, check.output).toBe(0);
  });

  it('pass their promtool unit tests', () => {
    const test = promtool('test', 'rules', ALERTS_TEST_FILE);
    expect(test.code, test.output).toBe(0);
  });

  it('each have a case where they fire and one where they must not', () => {
    const file = parse(readFileSync(ALERTS_TEST_FILE, 'utf8')) as RulesTestFile;
    const cases = file.tests.flatMap((t) => t.alert_rule_test ?? []);
    for (const { alert } of alertRules()) {
      const mine = cases.filter((c) => c.alertname === alert);
      expect(mine.some((c) => (c.exp_alerts ?? []).length > 0), `${alert} fires somewhere`).toBe(true);
      expect(mine.some((c) => (c.exp_alerts ?? []).length === 0), `${alert} stays quiet somewhere`).toBe(true);
    }
  });

  it('each say how urgent they are, what happened, and link to their runbook in docs/monitoring.md', () => {
    const anchors = new Set(readFileSync(MONITORING_DOC, 'utf8').split('\n').filter((l) => /^#{1,4} /.test(l)).map((l) => anchor(l.replace(/^#+ /, ''))));
    const names = alertRules().map((r) => r.alert);
    expect(new Set(names).size).toBe(names.length);
    for (const rule of alertRules()) {
      expect(rule.alert).toMatch(/^WorkOSEventsSync[A-Z]\w+$/);
      expect(['critical', 'warning']).toContain(rule.labels.severity);
      expect(rule.annotations.summary, rule.alert).toBeTruthy();
      expect(rule.annotations.description, rule.alert).toBeTruthy();
      expect(rule.annotations.runbook_url).toBe(`docs/monitoring.md#${rule.alert.toLowerCase()}`);
      expect(anchors, `a "### ${rule.alert}" section in docs/monitoring.md`).toContain(rule.alert.toLowerCase());
    }
  });
});
