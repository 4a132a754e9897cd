import { pino } from 'pino';
import { loadConfig } from '../config/load.js';
import { createCursorStore } from '../cursor/create-cursor-store.js';
import { ConfigError } from '../errors.js';
import { EXIT_OK, reportFailure, type CommandIO } from './command-io.js';

export interface CursorArgs {
  readonly action: string | undefined;
  readonly eventId: string | undefined;
  /** `cursor set --created-at`: lets the order guard check the first page after a hand-set cursor. */
  readonly createdAt: string | undefined;
}

/** `cursor show | set <event_id> [--created-at ISO] | reset`: no API key needed, only the store. */
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
    const store = createCursorStore(config.cursor, pino({ level: 'silent' }));
    try {
      await store.open();
      if (args.action === 'show') {
        const cursor = await store.get();
        io.stdout.write(`${JSON.stringify({ store: store.description, cursor })}\n`);
      } else if (args.action === 'set') {
        await store.set({ id: args.eventId!, createdAt: args.createdAt ? new Date(args.createdAt).toISOString() : null });
        io.stdout.write(`cursor set to ${args.eventId} in ${store.description}; the next drain starts after it\n`);
      } else {
        await store.reset();
        io.stdout.write(`cursor removed from ${store.description}; the next drain starts from "${config.startFrom}"\n`);
      }
    } finally {
      await store.close();
    }
    return EXIT_OK;
  } catch (err) {
    return reportFailure(io, err);
  }
}
