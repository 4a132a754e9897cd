import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { isWesError } from '../../src/errors.js';
import type { Sink, SinkPage } from '../../src/sinks/sink.js';
import type { WorkOSEvent } from '../../src/workos/event.js';
import { createEventFactory } from '../fakes/event-factory.js';
import { createEventIdGenerator } from '../fakes/event-ids.js';
import { TcpProxy } from '../support/tcp-proxy.js';

/** What a sink's conformance file provides: how to build the sink and look into its service. */
export interface ConformanceTarget {
  /** The real service, which the suite puts a TcpProxy in front of. */
  readonly service: { host: string; port: number };
  /** A fresh sink that reaches the service at `address` (the proxy). */
  createSink(address: { host: string; port: number }): Sink | Promise<Sink>;
  /** The events the service holds from this test, oldest first, as WorkOS sent them. */
  readBack(): Promise<WorkOSEvent[]>;
  /** A page the service refuses for what it is (not because it is down). */
  rejectedPage(): SinkPage;
  /** Removes what the test wrote (tables, streams, queues); called after each test. */
  cleanup(): Promise<void>;
}

/** Realistic events with unique ids, created at increasing times. */
export function samplePage(n: number, seed = 1): SinkPage {
  const factory = createEventFactory(seed);
  const nextId = createEventIdGenerator(Math.random);
  const start = Date.now() - n * 1000;
  const events: WorkOSEvent[] = [];
  for (let i = 0; i < n; i++) {
    const at = new Date(start + i * 1000);
    const generated = factory.next(at);
    events.push({ object: 'event', id: nextId(at.getTime()), event: generated.type, data: generated.data, created_at: at.toISOString() });
  }
  return { events };
}

async function expectFailure(promise: Promise<unknown>, retryable: boolean): Promise<void> {
  const err = await promise.then(() => undefined, (e: unknown) => e);
  expect(err, 'the write should have failed').toBeDefined();
  expect(isWesError(err), `expected a WesError, got ${String(err)}`).toBe(true);
  expect(err).toMatchObject({ code: retryable ? 'WES_ERR_SINK_UNAVAILABLE' : 'WES_ERR_SINK_REJECTED', retryable });
}

/**
 * The contract every sink meets, run against its real service (bullmq's adapter conformance and
 * redpanda connect's shared stream tests are the models): open/close twice, a page written and
 * read back exactly, a replay that adds nothing, an unreachable service failing as retryable and
 * recovering, a refused payload failing as rejected, and close during a write.
 */
export function describeSinkConformance(type: string, setup: () => Promise<ConformanceTarget>): void {
  describe(`sink conformance: ${type}`, () => {
    let target: ConformanceTarget;
    let proxy: TcpProxy;
    let sinks: Sink[] = [];
    const make = async (): Promise<Sink> => {
      const sink = await target.createSink({ host: proxy.host, port: proxy.port });
      sinks.push(sink);
      return sink;
    };

    beforeAll(async () => {
      target = await setup();
    });
    beforeEach(async () => {
      proxy = await TcpProxy.start(target.service);
    });
    afterEach(async () => {
      for (const sink of sinks.splice(0)) await sink.close().catch(() => undefined);
      await proxy.close();
      await target.cleanup();
    });
    afterAll(async () => {
      sinks = [];
    });

    it('opens and closes twice without harm, and probes while open', async () => {
      const sink = await make();
      await sink.open();
      await sink.open();
      await sink.probe();
      await sink.close();
      await sink.close();
    });

    it('writes a page and reads it back exactly as sent, in order', async () => {
      const sink = await make();
      await sink.open();
      const page = samplePage(25, 2);
      await sink.write(page);
      expect(await target.readBack()).toEqual(page.events);
    });

    it('adds nothing when the same page is written again', async () => {
      const sink = await make();
      await sink.open();
      const page = samplePage(10, 3);
      await sink.write(page);
      await sink.write(page);
      await sink.write({ events: page.events.slice(3, 7) });
      expect((await target.readBack()).map((e) => e.id)).toEqual(page.events.map((e) => e.id));
    });

    it('fails as retryable while the service is unreachable, and succeeds once it is back', async () => {
      const sink = await make();
      await sink.open();
      await sink.write(samplePage(2, 4));
      await target.cleanup();
      await proxy.cut();
      const page = samplePage(5, 5);
      await expectFailure(sink.write(page), true);
      await expect(sink.probe()).rejects.toBeTruthy();
      await proxy.restore();
      let lastError: unknown;
      for (let attempt = 0; attempt < 50; attempt++) {
        try {
          await sink.write(page);
          lastError = undefined;
          break;
        } catch (err) {
          lastError = err;
          await new Promise((r) => setTimeout(r, 100));
        }
      }
      expect(lastError).toBeUndefined();
      expect((await target.readBack()).map((e) => e.id)).toEqual(page.events.map((e) => e.id));
    });

    it('fails as rejected, not retryable, on a payload the service refuses', async () => {
      const sink = await make();
      await sink.open();
      await expectFailure(sink.write(target.rejectedPage()), false);
    });

    it('settles a write that is in flight when the sink closes, and closes', async () => {
      const sink = await make();
      await sink.open();
      const writing = sink.write(samplePage(50, 6)).then(() => 'written', (err: unknown) => (isWesError(err) ? 'failed' : `odd: ${String(err)}`));
      await sink.close();
      expect(['written', 'failed']).toContain(await writing);
    });
  });
}
