import { pino } from 'pino';
import { loadConfig, type LoadedConfig } from '../config/load.js';
import { createCursorStore } from '../cursor/create-cursor-store.js';
import { LeaderLease } from '../leader/leader-lease.js';
import { closeRedis, createRedisClient } from '../redis/redis-client.js';
import { createSinks } from '../sinks/create-sinks.js';
import { createEventsClient } from '../workos/events-client.js';
import { apiOptionsFromConfig } from '../workos/api-options-from-config.js';
import { EXIT_OK, exitCodeFor, reportFailure, type CommandIO } from './command-io.js';

function line(io: CommandIO, ok: boolean, what: string, detail: string): void {
  io.stdout.write(`${ok ? 'ok  ' : 'FAIL'}  ${what.padEnd(14)} ${detail}\n`);
}

/**
 * `check`: validate the config, make one `limit=1` request with the configured filters, read the
 * cursor and probe every sink, printing one line each. Exits with the worst code found.
 */
export async function checkCommand(configPath: string | undefined, io: CommandIO): Promise<number> {
  let loaded: LoadedConfig;
  try {
    loaded = await loadConfig({ path: configPath, env: io.env, requireApiKey: true });
  } catch (err) {
    return reportFailure(io, err);
  }
  const { config } = loaded;
  line(io, true, 'config', `${loaded.configPath}: ${config.sinks.length} sink(s), schedule "${config.schedule}", page size ${config.pageSize}`);
  let exitCode = EXIT_OK;
  const fail = (what: string, err: unknown) => {
    line(io, false, what, err instanceof Error ? err.message : String(err));
    exitCode = Math.max(exitCode, exitCodeFor(err));
  };
  const quiet = pino({ level: 'silent' });

  const client = createEventsClient(apiOptionsFromConfig(config, loaded.apiKey!));
  try {
    const page = await client.fetchPage({ limit: 1, events: config.events, organizationId: config.organizationId });
    const first = page.events[0];
    line(io, true, 'workos', `${config.workos.baseUrl} accepted the key; ${first ? `oldest retained event ${first.id} (${first.event}, ${first.created_at})` : 'no events retained for these filters'}`);
  } catch (err) {
    fail('workos', err);
  }

  const redis = config.cursor.store === 'redis' ? createRedisClient(config.cursor.url, quiet) : undefined;
  const store = createCursorStore(config.cursor, quiet, redis);
  try {
    await store.open();
    const cursor = await store.get();
    const where = cursor?.id ? `after ${cursor.id}${cursor.createdAt ? ` (${cursor.createdAt})` : ''}` : cursor ? `from ${cursor.createdAt}` : `no cursor yet: will start from ${config.startFrom}`;
    line(io, true, 'cursor', `${store.description}: ${where}`);
    if (redis && config.leader.enabled) {
      const holder = await new LeaderLease({ redis, key: config.leader.key, ttlMs: config.leader.ttlMs }).holder();
      line(io, true, 'leader', holder ? `lease ${config.leader.key} held by ${holder}` : `lease ${config.leader.key} is free: the first instance to start takes it`);
    }
  } catch (err) {
    fail('cursor', err);
  } finally {
    await store.close().catch(() => undefined);
    if (redis) await closeRedis(redis);
  }

  for (const sink of createSinks(config.sinks, { logger: quiet, stdout: io.stdout })) {
    try {
      await sink.open();
      await sink.probe();
      line(io, true, `sink ${sink.name}`, 'reachable');
    } catch (err) {
      fail(`sink ${sink.name}`, err);
    } finally {
      await sink.close().catch(() => undefined);
    }
  }
  return exitCode;
}
