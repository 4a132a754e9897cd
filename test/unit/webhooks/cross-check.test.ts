import { describe, expect, it } from 'vitest';
import { WebhookCrossCheck } from '../../../src/webhooks/cross-check.js';

describe('webhook cross-check', () => {
  it('reports once what was announced and not delivered in time, and forgets what was delivered', () => {
    const check = new WebhookCrossCheck(1000);
    check.announced('e1', 'user.created', 0);
    check.announced('e2', 'user.updated', 100);
    check.announced('e3', 'user.deleted', 900);
    check.delivered(['e2']);
    expect(check.overdue(999)).toEqual([]);
    expect(check.overdue(1500).map((l) => l.id)).toEqual(['e1']);
    expect(check.overdue(5000).map((l) => l.id)).toEqual(['e3']);
    expect(check.overdue(9000)).toEqual([]);
  });

  it('stays bounded under a flood of announcements', () => {
    const check = new WebhookCrossCheck(1000, 3);
    for (let i = 0; i < 10; i++) check.announced(`e${i}`, 'x', i);
    expect(check.size).toBe(3);
    expect(check.overdue(10_000).map((l) => l.id)).toEqual(['e7', 'e8', 'e9']);
  });
});
