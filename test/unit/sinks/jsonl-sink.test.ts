import { appendFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { jsonlSink } from '../../../src/sinks/jsonl/jsonl-sink.js';
import type { WorkOSEvent } from '../../../src/workos/event.js';
import { tempDir } from '../../support/harness.js';

const ev = (id: string): WorkOSEvent => ({ object: 'event', id, event: 'user.created', data: { id: `user_${id}` }, created_at: '2026-01-01T00:00:00.000Z' });
const context = { logger: pino({ level: 'silent' }), stdout: new PassThrough() };

describe('jsonl sink', () => {
  it('appends one event per line, creating the folder, and survives open/close twice', async () => {
    const path = join(await tempDir(), 'deep', 'events.jsonl');
    const sink = jsonlSink.create(jsonlSink.configSchema.parse({ type: 'jsonl', path }), 'jsonl', context);
    await sink.open();
    await sink.open();
    await sink.write({ events: [ev('e1'), ev('e2')] });
    await sink.write({ events: [ev('e3')] });
    await sink.close();
    await sink.close();
    const lines = (await readFile(path, 'utf8')).split('\n');
    expect(lines).toEqual([JSON.stringify(ev('e1')), JSON.stringify(ev('e2')), JSON.stringify(ev('e3')), '']);
  });

  it('cuts a half-written last line left by a crash before appending again', async () => {
    const path = join(await tempDir(), 'events.jsonl');
    await writeFile(path, `${JSON.stringify(ev('e1'))}\n`);
    await appendFile(path, '{"object":"event","id":"e2","ev');
    const sink = jsonlSink.create(jsonlSink.configSchema.parse({ type: 'jsonl', path }), 'jsonl', context);
    await sink.open();
    await sink.write({ events: [ev('e2')] });
    await sink.close();
    expect((await readFile(path, 'utf8')).trim().split('\n').map((l) => (JSON.parse(l) as WorkOSEvent).id)).toEqual(['e1', 'e2']);
  });

  it('refuses a path it can never write as rejected, not retryable', async () => {
    const dir = await tempDir();
    await mkdir(join(dir, 'a-folder'));
    const sink = jsonlSink.create(jsonlSink.configSchema.parse({ type: 'jsonl', path: join(dir, 'a-folder') }), 'archive', context);
    await expect(sink.open()).rejects.toMatchObject({ code: 'WES_ERR_SINK_REJECTED', retryable: false, message: expect.stringMatching(/^sink "archive" could not open/) });
  });
});
