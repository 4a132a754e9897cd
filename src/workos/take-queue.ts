import { abortedError } from '../errors.js';
import type { Sleep } from '../retry/sleep.js';

/** Takes a token and returns 0, or returns the ms to wait before asking again. */
export type TryTake = () => number | Promise<number>;

interface Waiter {
  readonly startedAt: number;
  readonly signal: AbortSignal | undefined;
  readonly resolve: (waitedMs: number) => void;
  readonly reject: (err: unknown) => void;
  readonly onAbort: () => void;
}

/**
 * Serves `take()` callers one at a time, first come first served: only the head of the line asks
 * for a token and sleeps, so a late caller can never grab the token an earlier one waited for,
 * and a shared bucket is polled by one request per instance, not one per caller.
 */
export class TakeQueue {
  private readonly waiters: Waiter[] = [];
  private pumping = false;
  private closed = false;
  /** Cuts the head's sleep short when the head leaves (abort) or the queue closes. */
  private wake: AbortController | undefined;

  constructor(private readonly tryTake: TryTake, private readonly sleep: Sleep, private readonly now: () => number) {}

  /** Resolves with the ms waited once a token is taken; rejects with WES_ERR_ABORTED on abort or close. */
  take(signal?: AbortSignal): Promise<number> {
    if (this.closed || signal?.aborted) return Promise.reject(abortedError());
    return new Promise<number>((resolve, reject) => {
      const waiter: Waiter = { startedAt: this.now(), signal, resolve, reject, onAbort: () => this.leave(waiter, abortedError()) };
      signal?.addEventListener('abort', waiter.onAbort, { once: true });
      this.waiters.push(waiter);
      void this.pump();
    });
  }

  /** Rejects everyone still waiting; later takes reject at once. Idempotent. */
  close(): void {
    this.closed = true;
    for (const waiter of [...this.waiters]) this.leave(waiter, abortedError());
  }

  private leave(waiter: Waiter, err: unknown): void {
    const index = this.waiters.indexOf(waiter);
    if (index < 0) return;
    this.waiters.splice(index, 1);
    waiter.signal?.removeEventListener('abort', waiter.onAbort);
    if (index === 0) this.wake?.abort();
    waiter.reject(err);
  }

  private async pump(): Promise<void> {
    if (this.pumping) return;
    this.pumping = true;
    try {
      while (this.waiters.length > 0 && !this.closed) {
        let waitMs: number;
        try {
          waitMs = await this.tryTake();
        } catch (err) {
          // Budgets are built not to throw; if one does, fail the head rather than spin on it.
          const head = this.waiters[0];
          if (head) this.leave(head, err);
          continue;
        }
        if (waitMs <= 0) {
          // The head may have left while a shared bucket was being asked: the token goes to the next in line.
          const head = this.waiters.shift();
          if (!head) break;
          head.signal?.removeEventListener('abort', head.onAbort);
          head.resolve(Math.max(0, this.now() - head.startedAt));
          continue;
        }
        const wake = new AbortController();
        this.wake = wake;
        try {
          await this.sleep(waitMs, wake.signal);
        } catch {
          // Woken early: the head left or the queue closed; the loop re-reads both.
        } finally {
          this.wake = undefined;
        }
      }
    } finally {
      this.pumping = false;
    }
  }
}
