import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../../src/config/load.js';

const mirror = (name?: string) => ({ type: 'postgres_mirror', url: 'postgres://localhost/test', ...(name ? { name } : {}) });
const problems = (raw: Record<string, unknown>): string[] => {
  try {
    parseConfig(raw, {});
    return [];
  } catch (err) {
    return (err as { problems: string[] }).problems;
  }
};

describe('the reconcile block of the config', () => {
  it('is off by default, and a schedule needs one postgres_mirror sink and a share within the budget', () => {
    expect(parseConfig({ sinks: [{ type: 'stdout' }] }, {}).reconcile).toEqual({ fix: false });
    expect(parseConfig({ sinks: [mirror()], reconcile: { schedule: '0 */6 * * *' } }, {}).reconcile).toEqual({ schedule: '0 */6 * * *', fix: false });
    expect(problems({ sinks: [{ type: 'stdout' }], reconcile: { schedule: '0 */6 * * *' } }).join('\n')).toMatch(/reconcile\.schedule.*needs a postgres_mirror sink/);
    expect(problems({ sinks: [mirror('a'), mirror('b')], reconcile: { schedule: '0 */6 * * *' } }).join('\n')).toMatch(/reconcile\.sink.*several postgres_mirror sinks/);
    expect(problems({ sinks: [mirror('a'), mirror('b')], reconcile: { schedule: '0 */6 * * *', sink: 'b' } })).toEqual([]);
    expect(problems({ sinks: [mirror()], reconcile: { schedule: 'every six hours' } }).join('\n')).toMatch(/reconcile\.schedule.*node-cron/);
    expect(problems({ sinks: [mirror()], rateLimit: { requestsPerMinute: 100 }, reconcile: { schedule: '0 * * * *', requestsPerMinute: 200 } }).join('\n')).toMatch(/reconcile\.requestsPerMinute.*not be more than rateLimit\.requestsPerMinute \(100\)/);
    expect(problems({ sinks: [mirror()], reconcile: { shedule: '0 * * * *' } }).join('\n')).toMatch(/shedule/);
  });
});
