import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { whenRequestSent } from '../../../src/workos/request-sent.js';

let server: ReturnType<typeof createServer>;
let origin: string;
/** Answers 50 ms after a request arrives: long enough to tell "sent" from "answered". */
beforeEach(async () => {
  server = createServer((_req, res) => setTimeout(() => res.end('{}'), 50));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterEach(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

describe('knowing that a request went out', () => {
  it('is told once Node\'s fetch wrote the request, before any answer came, for that URL only', async () => {
    const order: string[] = [];
    const url = `${origin}/events?order=asc&limit=100&after=event_1`;
    whenRequestSent(url, () => order.push('sent'));
    const other = whenRequestSent(`${origin}/events?order=asc&limit=100&after=event_2`, () => order.push('wrong url'));
    for (let i = 0; i < 2; i++) {
      const response = await fetch(url);
      order.push('answered');
      await response.text();
    }
    other();
    // Called once: the second fetch of the same URL was not waited for.
    expect(order).toEqual(['sent', 'answered', 'answered']);
  });

  it('stops waiting when told to', async () => {
    const order: string[] = [];
    const stop = whenRequestSent(`${origin}/x`, () => order.push('sent'));
    stop();
    await (await fetch(`${origin}/x`)).text();
    expect(order).toEqual([]);
  });
});
