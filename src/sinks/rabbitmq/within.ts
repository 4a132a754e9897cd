/**
 * Settles like `promise`, or rejects with `onTimeout()` after `ms`. The operation itself is not
 * cancelled: the caller decides what to do with a connection that stopped answering.
 */
export function within<T>(promise: Promise<T>, ms: number, onTimeout: () => Error): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(onTimeout()), ms);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (err: unknown) => {
        clearTimeout(timer);
        reject(err);
      },
    );
  });
}

/** The error `within` rejects with when a RabbitMQ operation took too long. */
export class AmqpTimeoutError extends Error {
  override readonly name = 'AmqpTimeoutError';
  /** errno-style, so the classification (by code) treats it like a socket timeout: retryable. */
  readonly code = 'ETIMEDOUT';
}
