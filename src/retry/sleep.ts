import { setTimeout as delay } from 'node:timers/promises';
import { abortedError } from '../errors.js';

/** Waits `ms`, or rejects with WES_ERR_ABORTED as soon as `signal` fires (shutdown never waits out a backoff). */
export async function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  if (signal?.aborted) throw abortedError();
  try {
    await delay(ms, undefined, { signal });
  } catch (err) {
    if (signal?.aborted) throw abortedError();
    throw err;
  }
}

export type Sleep = typeof sleep;
