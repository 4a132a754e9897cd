import { WesError } from '../errors.js';
import { withRetry, type RetryOptions } from '../retry/with-retry.js';
import type { ApiQuery, WorkOSApi } from '../workos/workos-api.js';

/** A WorkOS object as the state APIs return it: only `id` is relied on, everything else is kept. */
export interface WorkOSObject {
  readonly id: string;
  readonly updated_at?: string;
  readonly created_at?: string;
  readonly [field: string]: unknown;
}

/** One page of a listing, and when it was fetched (ISO, this host's clock). */
export interface ListedPage {
  readonly objects: readonly WorkOSObject[];
  readonly listedAt: string;
}

function malformed(path: string, reason: string): WesError {
  return new WesError('WES_ERR_MALFORMED_PAGE', `malformed ${path} page: ${reason}`, { retryable: true });
}

/**
 * The pages of a WorkOS list endpoint, oldest first, 100 objects each, following
 * `list_metadata.after` (which, unlike the events cursor, is the right way to page through a
 * listing). One page at a time: the caller handles a page before the next is asked for, so a
 * listing of any size costs one page of memory. Each request goes through the retry policy and
 * the rate budget of the API client.
 */
export async function* listPages(api: WorkOSApi, path: string, query: ApiQuery, retry: Omit<RetryOptions, 'what'>, now: () => number = Date.now): AsyncGenerator<ListedPage> {
  let after: string | undefined;
  for (;;) {
    const listedAt = new Date(now()).toISOString();
    const body = (await withRetry(() => api.get(path, { ...query, limit: 100, order: 'asc', after }, retry.signal), { ...retry, what: `list ${path}` })) as {
      data?: unknown;
      list_metadata?: { after?: unknown };
    } | null;
    if (!body || !Array.isArray(body.data)) throw malformed(path, '"data" is not an array');
    for (const item of body.data as unknown[]) {
      if (!item || typeof item !== 'object' || typeof (item as { id?: unknown }).id !== 'string') throw malformed(path, 'an object has no id');
    }
    yield { objects: body.data as WorkOSObject[], listedAt };
    const next = body.list_metadata?.after;
    if (typeof next !== 'string' || next === '' || body.data.length === 0) return;
    after = next;
  }
}
