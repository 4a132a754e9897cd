import type { Logger } from 'pino';

/**
 * Resources as an ordered list: each one acquired pushes the function that releases it, and
 * `releaseAll` runs them in reverse, so that what was opened last is closed first, on a stop and
 * on a failed start alike (graphile-worker's `withReleasers`). A release that fails is logged and
 * the rest still run.
 */
export class Releasers {
  private readonly stack: Array<{ readonly name: string; readonly release: () => Promise<void> | void }> = [];

  constructor(private readonly logger: Logger) {}

  add(name: string, release: () => Promise<void> | void): void {
    this.stack.push({ name, release });
  }

  async releaseAll(): Promise<void> {
    for (let next = this.stack.pop(); next; next = this.stack.pop()) {
      try {
        await next.release();
      } catch (err) {
        this.logger.warn({ err, resource: next.name }, 'did not close cleanly');
      }
    }
  }
}
