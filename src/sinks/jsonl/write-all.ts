import type { FileHandle } from 'node:fs/promises';

/**
 * Writes every byte of `bytes` at the end of the file. One `write` may write less than it was
 * given (a disk filling up, a signal, a network file system): counting that as success would let
 * the cursor move past events that are not in the file. The rest is written by further calls;
 * a call that writes nothing fails as an I/O error (retried, like a full disk), since looping on
 * it would never end.
 */
export async function writeAll(handle: Pick<FileHandle, 'write'>, bytes: Uint8Array): Promise<void> {
  let offset = 0;
  while (offset < bytes.length) {
    const { bytesWritten } = await handle.write(bytes, offset, bytes.length - offset);
    if (bytesWritten <= 0) throw Object.assign(new Error(`the file took ${offset} of ${bytes.length} bytes, then none`), { code: 'EIO' });
    offset += bytesWritten;
  }
}
