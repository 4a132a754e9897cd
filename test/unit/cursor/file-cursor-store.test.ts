import { readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FileCursorStore } from '../../../src/cursor/file-cursor-store.js';
import { tempDir } from '../../support/harness.js';

describe('file cursor store', () => {
  it('has no cursor at first, then returns what was set, until reset', async () => {
    const dir = await tempDir();
    const store = new FileCursorStore(join(dir, 'state', 'cursor.json'));
    await store.open();
    expect(await store.get()).toBeNull();
    await store.set({ id: 'event_1', createdAt: '2026-01-01T00:00:00.000Z' });
    expect(await store.get()).toEqual({ id: 'event_1', createdAt: '2026-01-01T00:00:00.000Z' });
    await store.reset();
    expect(await store.get()).toBeNull();
  });

  it('replaces the file atomically, leaving no temporary file behind', async () => {
    const dir = await tempDir();
    const store = new FileCursorStore(join(dir, 'cursor.json'));
    await store.open();
    for (let i = 0; i < 5; i++) await store.set({ id: `event_${i}`, createdAt: null });
    expect(await readdir(dir)).toEqual(['cursor.json']);
    expect((await store.get())?.id).toBe('event_4');
  });

  it('refuses a corrupt cursor file instead of starting over', async () => {
    const dir = await tempDir();
    await writeFile(join(dir, 'cursor.json'), '{"id": 42}');
    const store = new FileCursorStore(join(dir, 'cursor.json'));
    await expect(store.get()).rejects.toMatchObject({ code: 'WES_ERR_CURSOR_CORRUPT', retryable: false });
  });
});
