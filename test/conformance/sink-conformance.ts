import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { isWesError } from '../../src/errors.js';
import type { Sink, SinkPage, SinkPosition } from '../../src/sinks/sink.js';
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
  /** Pages of the events this sink keeps one each, when not every event is (the mirror); samplePage otherwise. */
  samplePage?(n: number, seed: number): SinkPage;
  /** Removes what the test wrote (tables, streams, queues); called after each test. */
  cleanup(): Promise<void>;
}

/** Realistic events with unique ids, created at increasing times. */
export function samplePage(n: number, seed = 1): SinkPage {
  return samplePageOf(n, seed);
}

function samplePageOf(n: number, seed: number): SinkPage {
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

/** Where a sink that keeps its own position stands after `page`. */
export function positionAfter(page: SinkPage): SinkPosition {
  const last = page.events.at(-1)!;
  return { id: last.id, createdAt: last.created_at, filter: { events: [], organizationId: null } };
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
 * recovering, a refused payload failing as rejected, and close during a write. A sink that keeps
 * its own position (`positions`) also refuses a page from a stale position and resumes from the
 * stored one in a new instance; for the others those cases are skipped.
 */
export function describeSinkConformance(type: string, setup: () => Promise<ConformanceTarget>): void {
  describe(`sink conformance: ${type}`, () => {
    let target: ConformanceTarget;
    let proxy: TcpProxy;
    let sinks: Sink[] = [];
    const samplePage = (n: number, seed: number): SinkPage => (target.samplePage ?? samplePageOf)(n, seed);
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

    it('refuses a replay of a committed page, or any page, from a stale position, and changes nothing', async ({ skip }) => {
      const sink = await make();
      if (!sink.positions) return skip('the sink does not keep its own position');
      await sink.open();
      const first = samplePage(5, 8);
      const second = samplePage(5, 9);
      await sink.write({ ...first, commit: { position: positionAfter(first), expected: null } });
      await sink.write({ ...second, commit: { position: positionAfter(second), expected: positionAfter(first) } });
      const held = await target.readBack();
      // A writer that never saw its pages commit: the first page again, the second again, a new one.
      const stale = [
        { ...first, commit: { position: positionAfter(first), expected: null } },
        { ...second, commit: { position: positionAfter(second), expected: positionAfter(first) } },
        { ...samplePage(3, 10), commit: { position: positionAfter(samplePage(3, 10)), expected: positionAfter(first) } },
      ];
      for (const page of stale) {
        const err = await sink.write(page).then(() => undefined, (e: unknown) => e);
        expect(err, 'the stale write should have been refused').toMatchObject({ code: 'WES_ERR_LEASE_LOST' });
      }
      expect(await target.readBack()).toEqual(held);
      expect(await sink.positions.read()).toEqual(positionAfter(second));
    });

    it('resumes from its stored position in a new instance after a crash between pages, and refuses the old one', async ({ skip }) => {
      const crashed = await make();
      if (!crashed.positions) return skip('the sink does not keep its own position');
      const start: SinkPosition = { id: null, createdAt: '2026-01-01T00:00:00.000Z', filter: { events: [], organizationId: null } };
      await crashed.positions.set(start);
      const first = samplePage(6, 11);
      await crashed.write({ ...first, commit: { position: positionAfter(first), expected: start } });
      // The process dies here: nothing is closed, and a new instance starts from what the sink says.
      const resumed = await make();
      const position = await resumed.positions!.read();
      expect(position).toEqual(positionAfter(first));
      const second = samplePage(4, 12);
      await resumed.write({ ...second, commit: { position: positionAfter(second), expected: position } });
      // The old instance, were it still writing, would write its next page from where it left off.
      const late = await crashed.write({ ...second, commit: { position: positionAfter(second), expected: positionAfter(first) } }).then(() => undefined, (e: unknown) => e);
      expect(late).toMatchObject({ code: 'WES_ERR_LEASE_LOST' });
      // Both pages once each (sorted: samplePage dates each page back from now, so they overlap in time).
      expect((await target.readBack()).map((e) => e.id).sort()).toEqual([...first.events, ...second.events].map((e) => e.id).sort());
      expect(await resumed.positions!.read()).toEqual(positionAfter(second));
    });
  });
}
