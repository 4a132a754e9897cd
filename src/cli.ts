#!/usr/bin/env node
// The only file that touches `process`: argv, env, signals, exit codes. Everything below takes
// what it needs as arguments, which is what lets the tests run commands in-process.
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { checkCommand } from './commands/check-command.js';
import { EXIT_CONFIG, EXIT_FAILURE, type CommandIO } from './commands/command-io.js';
import { cursorCommand } from './commands/cursor-command.js';
import { dlqCommand } from './commands/dlq-command.js';
import { eventsCommand } from './commands/events-command.js';
import { onceCommand } from './commands/once-command.js';
import { reconcileCommand } from './commands/reconcile-command.js';
import { runCommand } from './commands/run-command.js';
import { webhookTestCommand } from './commands/webhook-test-command.js';
import type { Daemon } from './daemon.js';

const USAGE = `Usage: workos-events-sync <command> [--config PATH]

Commands:
  run [START]                  poll WorkOS on the configured schedule until stopped
  once [START]                 drain once until caught up, then exit
  check                        validate the config, reach WorkOS, the cursor store and the sinks
  cursor show [--sink NAME]    print every sink's position (or that sink's)
  cursor set <event_id> [--created-at ISO] [--sink NAME]
                               resume every sink (or that one) after that event
  cursor reset [--sink NAME]   forget the positions (that sink's): they start from "startFrom"
  events [--after ID | --from ISO] [--types a,b] [--organization ID] [--limit N]
                               print events as JSON lines, without touching the cursor
  dlq list [--sink NAME] [--limit N]
                               print the dead letters
  dlq replay [--sink NAME]     hand the dead letters to their sink again
  webhook-test --url URL [--secret S]
                               send a correctly signed sample webhook delivery to an endpoint
  reconcile [--fix] [--sink NAME]
                               compare the postgres_mirror tables with WorkOS's state; --fix repairs them

START (run, once):
  --from ISO                   re-read from that time (recovery for a stale cursor), then go on
  --reset-cursor               forget the cursor first (start from "startFrom")
  --accept-filter-change       keep the position of a cursor made with other "events"/"organizationId"
  --sink NAME                  --from and --reset-cursor move only that sink; the others go on

Options:
  --config PATH                config file (default: $WORKOS_EVENTS_SYNC_CONFIG, then ./config.json)
  -h, --help                   show this help
  -v, --version                show the version

Environment: WORKOS_API_KEY (required for run, once, check, events, reconcile), WORKOS_WEBHOOK_SECRET
(turns on the webhook doorbell of run), WORKOS_BASE_URL, REDIS_URL, LOG_LEVEL, LOG_FORMAT.
Exit codes: 0 ok, 78 bad config, key or cursor, 1 anything else.
`;

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

/** First signal: graceful stop. Second: exit at once (graceful then forceful). */
function onSignals(stop: () => Promise<void>): void {
  let signalled = false;
  const handler = (signal: NodeJS.Signals) => {
    if (signalled) {
      process.stderr.write(`workos-events-sync: second ${signal}, exiting now\n`);
      process.exit(EXIT_FAILURE);
    }
    signalled = true;
    void stop();
  };
  process.on('SIGTERM', handler);
  process.on('SIGINT', handler);
}

/** The WorkOS SDK 11 and the other current dependencies need Node 22 or newer: say so, plainly. */
function nodeTooOld(): boolean {
  const [major = 0, minor = 0] = process.versions.node.split('.').map(Number);
  return major < 22 || (major === 22 && minor < 12);
}

async function main(argv: string[]): Promise<number> {
  if (nodeTooOld()) {
    process.stderr.write(`workos-events-sync: needs Node.js 22.12 or newer (24 LTS recommended); this is ${process.version}\n`);
    return EXIT_FAILURE;
  }
  const io: CommandIO = { stdout: process.stdout, stderr: process.stderr, env: process.env };
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        config: { type: 'string', short: 'c' },
        'created-at': { type: 'string' },
        from: { type: 'string' },
        'reset-cursor': { type: 'boolean' },
        'accept-filter-change': { type: 'boolean' },
        after: { type: 'string' },
        types: { type: 'string' },
        organization: { type: 'string' },
        limit: { type: 'string' },
        sink: { type: 'string' },
        fix: { type: 'boolean' },
        url: { type: 'string' },
        secret: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
        version: { type: 'boolean', short: 'v' },
      },
    });
  } catch (err) {
    process.stderr.write(`workos-events-sync: ${(err as Error).message}\n`);
    return EXIT_CONFIG;
  }
  const { values, positionals } = parsed;
  if (values.version) {
    process.stdout.write(`${version()}\n`);
    return 0;
  }
  const [command, ...rest] = positionals;
  if (values.help || command === undefined || command === 'help') {
    process.stdout.write(USAGE);
    return command === undefined && !values.help ? EXIT_CONFIG : 0;
  }
  const configPath = values.config;
  const start = { from: values.from, resetCursor: values['reset-cursor'], acceptFilterChange: values['accept-filter-change'], sink: values.sink };
  switch (command) {
    case 'run': {
      // Handlers first: a SIGTERM during start-up must stop the daemon, not kill it mid-write.
      const handle = runCommand(configPath, start, io);
      onSignals(async () => (await handle).stop());
      return (await handle).exited;
    }
    case 'once': {
      let daemon: Daemon | undefined;
      onSignals(async () => daemon?.stop());
      return onceCommand(configPath, start, io, (d) => (daemon = d));
    }
    case 'check':
      return checkCommand(configPath, io);
    case 'cursor':
      return cursorCommand(configPath, { action: rest[0], eventId: rest[1], createdAt: values['created-at'], sink: values.sink }, io);
    case 'events':
      return eventsCommand(configPath, { after: values.after, from: values.from, types: values.types, organization: values.organization, limit: values.limit }, io);
    case 'webhook-test':
      return webhookTestCommand({ url: values.url, secret: values.secret }, io);
    case 'reconcile':
      return reconcileCommand(configPath, { fix: values.fix ?? false, sink: values.sink }, io);
    case 'dlq':
      return dlqCommand(configPath, { action: rest[0], sink: values.sink, limit: values.limit }, io);
    default:
      process.stderr.write(`workos-events-sync: unknown command "${command}"; see --help\n`);
      return EXIT_CONFIG;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`workos-events-sync: unexpected failure: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
    process.exitCode = EXIT_FAILURE;
  },
);
