import { describe, expect, it } from 'vitest';
import { diffTable, isClean } from '../../../src/reconcile/diff-table.js';

const obj = (id: string, updated_at: string) => ({ id, updated_at, created_at: '2026-01-01T00:00:00.000Z' });
const row = (id: string, updatedAt: string, deletedAt: string | null = null) => ({ id, updatedAt, deletedAt });

describe('diffTable', () => {
  it('finds what is missing, extra and stale, comparing times not strings', () => {
    const diff = diffTable(
      'users',
      [obj('user_1', '2026-01-02T00:00:00.000Z'), obj('user_2', '2026-01-03T00:00:00.000Z'), obj('user_3', '2026-01-04T00:00:00Z'), obj('user_5', '2026-01-05T00:00:00Z')],
      [row('user_1', '2026-01-02T00:00:00+00:00'), row('user_2', '2026-01-02T00:00:00.000Z'), row('user_4', '2026-01-01T00:00:00Z'), row('user_5', '2026-01-05T00:00:00Z', '2026-01-06T00:00:00Z')],
    );
    expect(diff.missing.map((o) => o.id)).toEqual(['user_3', 'user_5']);
    expect(diff.stale.map((o) => o.id)).toEqual(['user_2']);
    expect(diff.extra).toEqual(['user_4']);
    expect(isClean(diff)).toBe(false);
  });

  it('is clean when the mirror holds exactly WorkOS\'s live objects', () => {
    expect(isClean(diffTable('organizations', [obj('org_1', '2026-01-01T00:00:00Z')], [row('org_1', '2026-01-01T00:00:00Z'), row('org_2', '2026-01-01T00:00:00Z', '2026-01-02T00:00:00Z')]))).toBe(true);
  });
});
