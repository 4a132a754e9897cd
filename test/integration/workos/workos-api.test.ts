import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { WesError } from '../../../src/errors.js';
import { createWorkOSApi, type WorkOSApiOptions } from '../../../src/workos/workos-api.js';
import { startFakeWorkOS, type FakeWorkOS } from '../../fakes/fake-workos.js';
import { API_KEY } from '../../support/harness.js';

// What the daemon relies on from its WorkOS client beyond the status codes the drain tests cover.

let fake: FakeWorkOS;

beforeEach(async () => {
  fake = await startFakeWorkOS();
});

afterEach(async () => {
  await fake.close();
});

function api(extra: Partial<WorkOSApiOptions> = {}) {
  return createWorkOSApi({ apiKey: API_KEY, baseUrl: fake.url, timeoutMs: 10_000, retryAfter: { defaultMs: 1000, maxMs: 1000 }, ...extra });
}

async function failure(promise: Promise<unknown>): Promise<WesError> {
  return (await promise.then(() => {
    throw new Error('expected the request to fail');
  }, (err: unknown) => err)) as WesError;
}

describe('a WorkOS request', () => {
  it('is sent once on a 503 or a 429: nothing retries behind the daemon\'s back', async () => {
    fake.script({ status: 503 }, { status: 429, headers: { 'Retry-After': '1' } });
    await expect(failure(api().get('/events', { limit: 1 }))).resolves.toMatchObject({ code: 'WES_ERR_WORKOS_UNAVAILABLE', httpStatus: 503 });
    await expect(failure(api().get('/events', { limit: 1 }))).resolves.toMatchObject({ code: 'WES_ERR_WORKOS_RATE_LIMITED', retryAfterMs: 1000 });
    expect(fake.requests).toHaveLength(2);
  });

  it('stops with WES_ERR_ABORTED, not a network error, when shutdown aborts a request waiting for its answer', async () => {
    fake.script({ kind: 'delay', ms: 30_000 });
    const seen: Array<number | 'network'> = [];
    const controller = new AbortController();
    const pending = failure(api({ onResponse: (s) => seen.push(s) }).get('/events', { limit: 1 }, controller.signal));
    while (fake.requests.length === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    controller.abort();
    await expect(pending).resolves.toMatchObject({ code: 'WES_ERR_ABORTED' });
    expect(seen).toEqual([]);
  });

  it('does not send a request at all when shutdown came first', async () => {
    const controller = new AbortController();
    controller.abort();
    await expect(failure(api().get('/events', { limit: 1 }, controller.signal))).resolves.toMatchObject({ code: 'WES_ERR_ABORTED' });
    expect(fake.requests).toHaveLength(0);
  });

  it('refuses a redirect without following it, naming where it pointed and workos.baseUrl', async () => {
    fake.script({ status: 301, headers: { Location: 'https://api.example.test/events' } });
    const err = await failure(api().get('/events', { limit: 1 }));
    expect(err).toMatchObject({ code: 'WES_ERR_WORKOS_REJECTED', retryable: false, httpStatus: 301 });
    expect(err.message).toBe(`WorkOS answered a redirect (301 to https://api.example.test/events) for /events: redirects are not followed; set workos.baseUrl (${fake.url}) to the API's own address`);
    expect(fake.requests).toHaveLength(1);
  });
});
