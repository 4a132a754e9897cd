import type { FileHandle } from 'node:fs/promises';

const CHUNK = 64 * 1024;

/**
 * Cuts a file back to its last newline, so that a line left half-written by a crash does not sit
 * in front of the replayed page. Returns the resulting size and how many bytes were cut.
 */
export async function repairTornTail(handle: FileHandle): Promise<{ size: number; cutBytes: number }> {
  const { size } = await handle.stat();
  if (size === 0) return { size, cutBytes: 0 };
  const buffer = Buffer.alloc(CHUNK);
  let end = size;
  while (end > 0) {
    const start = Math.max(0, end - CHUNK);
    const length = end - start;
    await handle.read(buffer, 0, length, start);
    const newline = buffer.subarray(0, length).lastIndexOf(0x0a);
    if (newline !== -1) {
      const keep = start + newline + 1;
      if (keep < size) await handle.truncate(keep);
      return { size: keep, cutBytes: size - keep };
    }
    end = start;
  }
  // No newline at all: the whole file is one torn line.
  await handle.truncate(0);
  return { size: 0, cutBytes: size };
}
