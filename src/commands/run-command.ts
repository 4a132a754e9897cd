import { loadConfig } from '../config/load.js';
import { createDaemon } from '../daemon.js';
import { EXIT_CONFIG, EXIT_OK, reportFailure, type CommandIO, type StartFlags } from './command-io.js';
import { loggerFor } from './start-logger.js';

export interface RunHandle {
  /** Resolves with the exit code once the daemon has stopped. */
  readonly exited: Promise<number>;
  /** Graceful shutdown (SIGTERM, SIGINT). */
  stop(): Promise<void>;
}

/**
 * `run`: open everything, drain on the schedule until stopped. A drain that fails is logged and
 * retried on the next tick; one that fails for a reason only a person can fix (a refused key, a
 * filter WorkOS rejects) stops the daemon with exit 78.
 */
export async function runCommand(configPath: string | undefined, flags: StartFlags, io: CommandIO): Promise<RunHandle> {
  let resolveExit!: (code: number) => void;
  const exited = new Promise<number>((resolve) => (resolveExit = resolve));
  let stopFn: () => Promise<void> = async () => undefined;
  try {
    const loaded = await loadConfig({ path: configPath, env: io.env, requireApiKey: true });
    const logger = loggerFor(loaded);
    let exitCode = EXIT_OK;
    const daemon = createDaemon({
      config: loaded.config,
      apiKey: loaded.apiKey!,
      logger,
      stdout: io.stdout,
      serveHttp: true,
      webhookSecret: loaded.webhookSecret,
      from: flags.from,
      resetCursor: flags.resetCursor ?? false,
      acceptFilterChange: flags.acceptFilterChange ?? false,
      sink: flags.sink,
      onFatal: (err) => {
        exitCode = EXIT_CONFIG;
        io.stderr.write(`workos-events-sync: ${err.message}\n`);
        void stopFn();
      },
    });
    stopFn = async () => {
      await daemon.stop();
      resolveExit(exitCode);
    };
    try {
      await daemon.open();
    } catch (err) {
      logger.error({ err }, 'could not start');
      await daemon.stop();
      resolveExit(reportFailure(io, err));
      return { exited, stop: async () => undefined };
    }
    daemon.start();
  } catch (err) {
    resolveExit(reportFailure(io, err));
  }
  return { exited, stop: () => stopFn() };
}
