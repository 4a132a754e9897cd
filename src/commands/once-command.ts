import { loadConfig } from '../config/load.js';
import { createDaemon, type Daemon } from '../daemon.js';
import { EXIT_OK, reportFailure, type CommandIO, type StartFlags } from './command-io.js';
import { loggerFor } from './start-logger.js';

/** `once`: one drain until caught up, then exit. `stop` lets a signal end it early, cleanly. */
export async function onceCommand(configPath: string | undefined, flags: StartFlags, io: CommandIO, onDaemon?: (daemon: Daemon) => void): Promise<number> {
  let daemon: Daemon | undefined;
  try {
    const loaded = await loadConfig({ path: configPath, env: io.env, requireApiKey: true });
    const logger = loggerFor(loaded);
    daemon = createDaemon({
      config: loaded.config,
      apiKey: loaded.apiKey!,
      logger,
      stdout: io.stdout,
      from: flags.from,
      resetCursor: flags.resetCursor ?? false,
      acceptFilterChange: flags.acceptFilterChange ?? false,
      sink: flags.sink,
    });
    onDaemon?.(daemon);
    await daemon.open();
    const result = await daemon.drainOnce();
    logger.info({ pages: result.pages, events: result.events, cursor: result.cursor?.id ?? null, stopped: result.stopped }, 'drain finished');
    return EXIT_OK;
  } catch (err) {
    return reportFailure(io, err);
  } finally {
    await daemon?.stop();
  }
}
