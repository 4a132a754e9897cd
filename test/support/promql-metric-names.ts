// Just enough of PromQL to find the metric names an expression selects (promtool 2.42 cannot list
// them): strings, label matchers, ranges and Grafana's `$variables` are skipped, an identifier
// followed by `(` is a function, aggregations are known by name, and the label lists of by,
// without, on, ignoring, group_left and group_right are not names.

const KEYWORDS = new Set(['and', 'or', 'unless', 'bool', 'offset', 'atan2', 'inf', 'nan']);
/** Aggregations may put `by (...)` between their name and their `(`: `sum by (sink) (x)`. */
const AGGREGATIONS = new Set(['sum', 'min', 'max', 'avg', 'group', 'stddev', 'stdvar', 'count', 'count_values', 'bottomk', 'topk', 'quantile', 'limitk', 'limit_ratio']);
const LABEL_LIST_KEYWORDS = new Set(['by', 'without', 'on', 'ignoring', 'group_left', 'group_right']);

/** Skips from `open` at `i` to just past its matching `close`, stepping over quoted strings. */
function skipBalanced(expr: string, i: number, open: string, close: string): number {
  let depth = 0;
  for (; i < expr.length; i++) {
    const c = expr[i]!;
    if (c === '"' || c === "'" || c === '`') i = skipString(expr, i) - 1;
    else if (c === open) depth++;
    else if (c === close && --depth === 0) return i + 1;
  }
  throw new Error(`unbalanced "${open}" in: ${expr}`);
}

function skipString(expr: string, i: number): number {
  const quote = expr[i]!;
  for (let j = i + 1; j < expr.length; j++) {
    if (expr[j] === '\\' && quote !== '`') j++;
    else if (expr[j] === quote) return j + 1;
  }
  throw new Error(`unterminated string in: ${expr}`);
}

/** The metric names an expression selects, in order of first appearance, each once. */
export function promqlMetricNames(expr: string): string[] {
  const names: string[] = [];
  let i = 0;
  while (i < expr.length) {
    const c = expr[i]!;
    if (c === '"' || c === "'" || c === '`') i = skipString(expr, i);
    else if (c === '{') i = skipBalanced(expr, i, '{', '}');
    else if (c === '[') i = skipBalanced(expr, i, '[', ']');
    else if (c === '#') i = expr.includes('\n', i) ? expr.indexOf('\n', i) : expr.length;
    else if (c === '$') {
      // Grafana: $job, ${datasource}, $__rate_interval
      i++;
      if (expr[i] === '{') i = skipBalanced(expr, i, '{', '}');
      else while (i < expr.length && /[\w]/.test(expr[i]!)) i++;
    } else if (/[0-9.]/.test(c)) {
      // Numbers and durations (5m, 1e3, 0x1f): never names.
      while (i < expr.length && /[\w.]/.test(expr[i]!)) i++;
    } else if (/[A-Za-z_:]/.test(c)) {
      const start = i;
      while (i < expr.length && /[\w:]/.test(expr[i]!)) i++;
      const word = expr.slice(start, i);
      let next = i;
      while (next < expr.length && /\s/.test(expr[next]!)) next++;
      if (LABEL_LIST_KEYWORDS.has(word.toLowerCase())) {
        if (expr[next] === '(') i = skipBalanced(expr, next, '(', ')');
      } else if (KEYWORDS.has(word.toLowerCase()) || AGGREGATIONS.has(word.toLowerCase()) || expr[next] === '(') {
        // an operator, or a function / aggregation called here
      } else if (!names.includes(word)) {
        names.push(word);
      }
    } else i++;
  }
  return names;
}

/** Grafana's `label_values(<selector>, <label>)` variable query, or a plain PromQL one. */
export function grafanaQueryMetricNames(query: string): string[] {
  const labelValues = /^\s*label_values\((.*),\s*\w+\s*\)\s*$/s.exec(query);
  return promqlMetricNames(labelValues ? labelValues[1]! : query);
}
