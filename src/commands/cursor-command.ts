import { pino } from 'pino';
import { loadConfig } from '../config/load.js';
import { createCursorStore } from '../cursor/create-cursor-store.js';
import { ConfigError } from '../errors.js';
import { describePositions } from '../pipeline/describe-positions.js';
import { movePositions, targetSinks } from '../pipeline/set-start-position.js';
import { createSinks } from '../sinks/create-sinks.js';
import { EXIT_OK, reportFailure, type CommandIO } from './command-io.js';

export interface CursorArgs {
  readonly action: string | undefined;
  readonly eventId: string | undefined;
  /** `cursor set --created-at`: lets the order guard check the first page after a hand-set cursor. */
  readonly createdAt: string | undefined;
  /** `--sink NAME`: show or move that sink's position only. */
  readonly sink: string | undefined;
}

/**
 * `cursor show | set <event_id> [--created-at ISO] | reset`, each with `--sink NAME` for one sink:
 * no API key needed, only the store (and a sink that keeps its own position).
 */
export async function cursorCommand(configPath: string | undefined, args: CursorArgs, io: CommandIO): Promise<number> {
  try {
    if (args.action !== 'show' && args.action !== 'set' && args.action !== 'reset') {
      throw new ConfigError([`cursor: expected "show", "set <event_id>" or "reset", got ${args.action ? `"${args.action}"` : 'nothing'}`]);
    }
    if (args.action === 'set' && (!args.eventId || !/^[A-Za-z0-9_]+$/.test(args.eventId))) {
      throw new ConfigError([`cursor set: expected an event id such as event_01H..., got ${args.eventId ? `"${args.eventId}"` : 'nothing'}`]);
    }
    if (args.createdAt !== undefined && Number.isNaN(Date.parse(args.createdAt))) {
      throw new ConfigError([`cursor set --created-at: expected an ISO time, got "${args.createdAt}"`]);
    }
    const { config } = await loadConfig({ path: configPath, env: io.env, requireApiKey: false });
    const quiet = pino({ level: 'silent' });
    const store = createCursorStore(config.cursor, quiet);
    const sinks = createSinks(config.sinks, { logger: quiet, stdout: io.stdout });
    const targets = targetSinks(sinks, args.sink);
    const which = args.sink ? `sink "${args.sink}"` : 'every sink';
    try {
      await store.open();
      if (args.action === 'show') {
        const standings = (await describePositions(store, sinks, config)).filter((s) => args.sink === undefined || s.sink === args.sink);
        const cursor = args.sink ? standings[0]?.cursor ?? null : await store.get();
        io.stdout.write(`${JSON.stringify({ store: store.description, cursor, sinks: Object.fromEntries(standings.map((s) => [s.sink, { cursor: s.cursor, source: s.source }])) })}\n`);
      } else if (args.action === 'set') {
        await movePositions(store, targets, { id: args.eventId!, createdAt: args.createdAt ? new Date(args.createdAt).toISOString() : null }, args.sink === undefined);
        io.stdout.write(`cursor of ${which} set to ${args.eventId} in ${store.description}; the next drain starts after it\n`);
      } else {
        await movePositions(store, targets, null, args.sink === undefined);
        io.stdout.write(`cursor of ${which} removed from ${store.description}; the next drain starts from "startFrom"\n`);
      }
    } finally {
      await store.close();
      for (const sink of sinks) await sink.close().catch(() => undefined);
    }
    return EXIT_OK;
  } catch (err) {
    return reportFailure(io, err);
  }
}
