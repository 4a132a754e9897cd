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

function malformed(path: string, reason: string): WesError {
  return new WesError('WES_ERR_MALFORMED_PAGE', `malformed ${path} page: ${reason}`, { retryable: true });
}

/**
 * Every object of a WorkOS list endpoint, oldest first, 100 a page, following `list_metadata.after`
 * (which, unlike the events cursor, is the right way to page through a listing). Each request goes
 * through the retry policy and the rate budget of the API client.
 */
export async function listAll(api: WorkOSApi, path: string, query: ApiQuery, retry: Omit<RetryOptions, 'what'>): Promise<WorkOSObject[]> {
  const objects: WorkOSObject[] = [];
  let after: string | undefined;
  for (;;) {
    const body = (await withRetry(() => api.get(path, { ...query, limit: 100, order: 'asc', after }), { ...retry, what: `list ${path}` })) as {
      data?: unknown;
      list_metadata?: { after?: unknown };
    } | null;
    if (!body || !Array.isArray(body.data)) throw malformed(path, '"data" is not an array');
    for (const item of body.data as unknown[]) {
      if (!item || typeof item !== 'object' || typeof (item as { id?: unknown }).id !== 'string') throw malformed(path, 'an object has no id');
      objects.push(item as WorkOSObject);
    }
    const next = body.list_metadata?.after;
    if (typeof next !== 'string' || next === '' || body.data.length === 0) return objects;
    after = next;
  }
}
