import { describe, expect, it } from 'vitest';
import { writeAll } from '../../../src/sinks/jsonl/write-all.js';

/** A file handle that takes at most `perCall` bytes per write, as a filling disk may. */
function shortWritingHandle(perCall: number) {
  const written: number[] = [];
  return {
    written,
    write: async (buffer: Uint8Array, offset = 0, length = buffer.length) => {
      const take = Math.min(perCall, length);
      written.push(...buffer.subarray(offset, offset + take));
      return { bytesWritten: take, buffer };
    },
  };
}

describe('writeAll', () => {
  it('writes the rest after a short write, in order, until every byte is in', async () => {
    const bytes = Buffer.from('{"id":"event_1"}\n{"id":"event_2"}\n');
    const handle = shortWritingHandle(7);
    await writeAll(handle as never, bytes);
    expect(Buffer.from(handle.written).toString()).toBe(bytes.toString());
  });

  it('fails as a retryable I/O error when a write takes nothing, instead of looping', async () => {
    const handle = shortWritingHandle(0);
    await expect(writeAll(handle as never, Buffer.from('x\n'))).rejects.toMatchObject({ code: 'EIO', message: 'the file took 0 of 2 bytes, then none' });
  });
});
