import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { moduleSink, moduleSinkConfigSchema } from '../../../src/sinks/module/module-sink.js';
import { samplePage } from '../../conformance/sink-conformance.js';
import { readJsonl, tempDir } from '../../support/harness.js';

const FIXTURE = fileURLToPath(new URL('../../fixtures/sinks/file-sink.mjs', import.meta.url));
const context = { logger: pino({ level: 'silent' }), stdout: new PassThrough() };

function sinkWith(options: Record<string, unknown>, path = FIXTURE) {
  return moduleSink.create(moduleSinkConfigSchema.parse({ type: 'module', path, options }), 'mine', context);
}

describe('module sink', () => {
  it('loads a user module and delivers through it, replays included', async () => {
    const out = join(await tempDir(), 'events.jsonl');
    const sink = sinkWith({ path: out });
    await sink.open();
    await sink.open();
    const page = samplePage(12, 7);
    await sink.write(page);
    await sink.write(page);
    await sink.probe();
    await sink.close();
    await sink.close();
    expect(await readJsonl(out)).toEqual(page.events);
  });

  it('keeps a failure retryable unless the module says otherwise', async () => {
    const down = sinkWith({ path: '/dev/null', failWith: 'backend down' });
    await expect(down.write(samplePage(1))).rejects.toMatchObject({ code: 'WES_ERR_SINK_UNAVAILABLE', retryable: true, message: 'sink "mine" could not write a page: backend down' });
    const refused = sinkWith({ path: '/dev/null', failWith: 'schema mismatch', retryable: false });
    await expect(refused.write(samplePage(1))).rejects.toMatchObject({ code: 'WES_ERR_SINK_REJECTED', retryable: false });
  });

  it('says plainly when the module cannot be loaded or exports no createSink', async () => {
    await expect(sinkWith({}, '/nonexistent/sink.mjs').open()).rejects.toMatchObject({ code: 'WES_ERR_SINK_REJECTED', message: expect.stringContaining('cannot load module /nonexistent/sink.mjs') });
    const empty = join(await tempDir(), 'empty.mjs');
    await writeFile(empty, 'export const nothing = 1;\n');
    await expect(sinkWith({}, empty).open()).rejects.toMatchObject({ message: expect.stringContaining('exports no createSink(options, context) function') });
  });
});
