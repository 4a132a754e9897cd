import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { WesError } from '../../../src/errors.js';
import { createWorkOSApi } from '../../../src/workos/workos-api.js';
import { startFakeWorkOS, type FakeWorkOS } from '../../fakes/fake-workos.js';
import { API_KEY } from '../../support/harness.js';

let fake: FakeWorkOS;

beforeEach(async () => {
  fake = await startFakeWorkOS();
});

afterEach(async () => {
  await fake.close();
});

/** One GET /events with a short client timeout; the fake is far slower when scripted to be. */
async function failedGet(): Promise<WesError> {
  const api = createWorkOSApi({ apiKey: API_KEY, baseUrl: fake.url, timeoutMs: 300, retryAfter: { defaultMs: 1000, maxMs: 1000 } });
  return (await api.get('/events', { limit: 1 }).then(() => {
    throw new Error('expected the request to fail');
  }, (err: unknown) => err)) as WesError;
}

describe('a WorkOS request that fails by time', () => {
  it('says that no answer came within workos.timeoutMs when the client gives up waiting', async () => {
    fake.script({ kind: 'delay', ms: 30_000 });
    const err = await failedGet();
    expect(err).toMatchObject({ code: 'WES_ERR_WORKOS_UNAVAILABLE', retryable: true, httpStatus: undefined });
    expect(err.message).toBe(`no answer from WorkOS at ${fake.url} within 300 ms (workos.timeoutMs)`);
  });

  it('says that WorkOS answered 408 when WorkOS itself answers 408', async () => {
    fake.script({ status: 408, json: { message: 'Request Timeout' } });
    const err = await failedGet();
    expect(err).toMatchObject({ code: 'WES_ERR_WORKOS_UNAVAILABLE', retryable: true, httpStatus: 408 });
    expect(err.message).toBe('WorkOS answered 408');
  });

  it('tells a 408 answer shaped like the SDK\'s own timeout apart from the timeout', async () => {
    fake.script({ status: 408, json: { error: 'Request timeout' } });
    const err = await failedGet();
    expect(err).toMatchObject({ httpStatus: 408, message: 'WorkOS answered 408' });
  });
});
