import { WorkOS } from '@workos-inc/node';
import { describe, expect, it } from 'vitest';
import { createWebhookSigner } from '../../../src/workos/webhook-signer.js';
import { createEventFactory } from '../../fakes/event-factory.js';

describe('the fake event shapes', () => {
  it("are ones the WorkOS SDK's own webhook deserializer accepts, for every type the factory emits", async () => {
    const webhooks = new WorkOS({ clientId: 'client_test' }).webhooks;
    const sign = createWebhookSigner('whsec_shapes');
    const refused = new Map<string, string>();
    for (const profile of ['mixed', 'lifecycle'] as const) {
      const factory = createEventFactory(5, { profile });
      for (let i = 0; i < 2000; i++) {
        const next = factory.next(new Date());
        const body = JSON.stringify({ id: `event_${i}`, event: next.type, data: next.data, created_at: new Date().toISOString() });
        const now = Date.now();
        await webhooks.constructEvent({ payload: body, sigHeader: await sign(now, body), secret: 'whsec_shapes' }).catch((err: Error) => refused.set(next.type, err.message));
      }
    }
    expect(Object.fromEntries(refused)).toEqual({});
  });
});
