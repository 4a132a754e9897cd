import { WorkOS } from '@workos-inc/node';
import { describe, expect, it } from 'vitest';
import { createWebhookSigner } from '../../../src/workos/webhook-signer.js';

const SECRET = 'whsec_signer_test';
const webhooks = new WorkOS({ clientId: 'signer-test' }).webhooks;
const body = JSON.stringify({ id: 'event_01SIGNER', event: 'user.created', data: { id: 'user_1' }, created_at: '2026-12-01T00:00:00.000Z' });

describe('the webhook signer', () => {
  it('writes t=<unix ms>, v1=<hex> that the SDK verifies and constructEvent accepts', async () => {
    const header = await createWebhookSigner(SECRET)(Date.now(), body);
    expect(header).toMatch(/^t=\d{13}, v1=[0-9a-f]{64}$/);
    await expect(webhooks.verifyHeader({ payload: body, sigHeader: header, secret: SECRET })).resolves.toBe(true);
    await expect(webhooks.constructEvent({ payload: body, sigHeader: header, secret: SECRET })).resolves.toMatchObject({ id: 'event_01SIGNER' });
  });

  it('signs at whole milliseconds, since the SDK (12+) refuses any other timestamp', async () => {
    const header = await createWebhookSigner(SECRET)(Date.now() + 0.5, body);
    expect(header).toMatch(/^t=\d+, /);
    await expect(webhooks.verifyHeader({ payload: body, sigHeader: header, secret: SECRET })).resolves.toBe(true);
  });

  it('is refused by the SDK when its timestamp is further from now than the tolerance, past or future', async () => {
    for (const offsetMs of [-10 * 60_000, 10 * 60_000]) {
      const header = await createWebhookSigner(SECRET)(Date.now() + offsetMs, body);
      await expect(webhooks.verifyHeader({ payload: body, sigHeader: header, secret: SECRET, tolerance: 60_000 })).rejects.toThrow();
    }
  });
});
