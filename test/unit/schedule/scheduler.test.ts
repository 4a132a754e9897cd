import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { createScheduler } from '../../../src/schedule/scheduler.js';

describe('scheduler', () => {
  it('drains at once on start and never runs two drains at the same time', async () => {
    let running = 0;
    let maxRunning = 0;
    let runs = 0;
    const scheduler = createScheduler('* * * * * *', async () => {
      running++;
      runs++;
      maxRunning = Math.max(maxRunning, running);
      // Longer than the one-second schedule, so ticks arrive while this drain runs.
      await new Promise((r) => setTimeout(r, 2300));
      running--;
    }, pino({ level: 'silent' }));
    scheduler.start();
    expect(runs).toBe(1);
    await new Promise((r) => setTimeout(r, 2600));
    await scheduler.stop();
    expect(maxRunning).toBe(1);
    expect(runs).toBeLessThanOrEqual(2);
  });
});
