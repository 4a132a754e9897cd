import { WesError } from '../errors.js';

/** errno codes that mean "try again later" for a local file: space, quota, transient I/O. */
const RETRYABLE_ERRNO = new Set(['ENOSPC', 'EDQUOT', 'EIO', 'EAGAIN', 'EBUSY', 'EMFILE', 'ENFILE', 'EINTR']);

/** Classifies a file-system failure of a sink by errno, never by message text. */
export function fileSinkError(sinkName: string, action: string, err: unknown): WesError {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  const retryable = code !== undefined && RETRYABLE_ERRNO.has(code);
  const reason = err instanceof Error ? err.message : String(err);
  return new WesError(
    retryable ? 'WES_ERR_SINK_UNAVAILABLE' : 'WES_ERR_SINK_REJECTED',
    `sink "${sinkName}" could not ${action}: ${reason}`,
    { retryable, cause: err },
  );
}
