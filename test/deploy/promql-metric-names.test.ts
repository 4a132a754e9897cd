import { describe, expect, it } from 'vitest';
import { grafanaQueryMetricNames, promqlMetricNames } from '../support/promql-metric-names.js';

describe('finding the metric names of a PromQL expression', () => {
  it('finds selectors and leaves out functions, aggregations, label lists, matchers and ranges', () => {
    expect(promqlMetricNames('sum by (namespace, job) (rate(a_total{status=~"4..|x{y}"}[10m])) / ignoring (sink) group_left (pod) b')).toEqual(['a_total', 'b']);
    expect(promqlMetricNames('histogram_quantile(0.99, sum(rate(h_bucket[5m])) by (le)) > 0.5 unless on (sink) c offset 1h')).toEqual(['h_bucket', 'c']);
    expect(promqlMetricNames('(time() - ts < bool 1800) or absent(x) * 21 * 86400')).toEqual(['ts', 'x']);
    expect(promqlMetricNames('topk(10, max without (instance) (m:recorded))')).toEqual(['m:recorded']);
  });

  it("skips Grafana's variables and reads label_values queries", () => {
    expect(promqlMetricNames('rate(a_total{job=~"$job"}[$__rate_interval]) * ${factor}')).toEqual(['a_total']);
    expect(grafanaQueryMetricNames('label_values(x{job=~"$job"}, sink)')).toEqual(['x']);
  });
});
