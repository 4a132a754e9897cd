import { defineCommand, type CommandDefinition, type FlagDefinition } from './command-definition.js';
import type { Daemon } from '../daemon.js';

const config = { kind: 'string', short: 'c', placeholder: 'PATH', description: 'config file (default: $WORKOS_EVENTS_SYNC_CONFIG, then ./config.json)' } as const satisfies FlagDefinition;

const sinkFlag = (description: string) => ({ kind: 'string', placeholder: 'NAME', description }) as const;

/** The recoveries `run` and `once` share. */
const startFlags = {
  from: { kind: 'time', placeholder: 'ISO', description: 're-read from that time (recovery for a stale cursor), then go on' },
  'reset-cursor': { kind: 'boolean', description: 'forget the cursor first (start from "startFrom")' },
  'accept-filter-change': { kind: 'boolean', description: 'keep the position of a cursor made with other "events"/"organizationId"' },
  sink: sinkFlag('--from and --reset-cursor move only that sink; the others go on'),
  config,
} as const satisfies Record<string, FlagDefinition>;

const startOf = (v: { from?: string; 'reset-cursor'?: boolean; 'accept-filter-change'?: boolean; sink?: string }) => ({
  from: v.from,
  resetCursor: v['reset-cursor'],
  acceptFilterChange: v['accept-filter-change'],
  sink: v.sink,
});

/** `cursor show` and `cursor reset`: no positional, only which sink. */
function cursorShowOrReset(action: 'show' | 'reset', summary: string, sinkDescription: string): CommandDefinition {
  return defineCommand({
    name: `cursor ${action}`,
    summary,
    flags: { sink: sinkFlag(sinkDescription), config },
    example: `workos-events-sync cursor ${action} --sink archive --config config.json`,
    async run(values, _positionals, { io }) {
      return (await import('./cursor-command.js')).cursorCommand(values.config, { action, eventId: undefined, createdAt: undefined, sink: values.sink }, io);
    },
  });
}

/**
 * Every command, in the order `--help` lists them. A command of two words (`cursor set`) is one
 * entry; the first word alone (`cursor --help`) lists its entries.
 */
export const commandDefinitions: readonly CommandDefinition[] = [
  defineCommand({
    name: 'run',
    summary: 'poll WorkOS on the configured schedule until stopped',
    flags: startFlags,
    example: 'workos-events-sync run --config config.json',
    heapLimits: true,
    async run(values, _positionals, { io, onSignals }) {
      // Handlers first: a SIGTERM during start-up (even while the module loads) must stop the
      // daemon, not kill it mid-write.
      const handle = import('./run-command.js').then(({ runCommand }) => runCommand(values.config, startOf(values), io));
      onSignals(async () => (await handle).stop());
      return (await handle).exited;
    },
  }),
  defineCommand({
    name: 'once',
    summary: 'drain once until caught up, then exit 0 (for cron jobs and CI)',
    flags: startFlags,
    example: 'workos-events-sync once --from 2026-11-01T00:00:00Z --config config.json',
    heapLimits: true,
    async run(values, _positionals, { io, onSignals }) {
      let daemon: Daemon | undefined;
      onSignals(async () => daemon?.stop());
      const { onceCommand } = await import('./once-command.js');
      return onceCommand(values.config, startOf(values), io, (d) => (daemon = d));
    },
  }),
  defineCommand({
    name: 'check',
    summary: 'validate the config, reach WorkOS, the cursor store and the sinks',
    flags: { config },
    example: 'workos-events-sync check --config config.json',
    async run(values, _positionals, { io }) {
      return (await import('./check-command.js')).checkCommand(values.config, io);
    },
  }),
  cursorShowOrReset('show', "print every sink's position (or that sink's) as JSON", "only that sink's position"),
  defineCommand({
    name: 'cursor set',
    summary: 'resume every sink (or that one) after that event; for a stopped deployment',
    positionals: ['<event_id>'],
    flags: {
      'created-at': { kind: 'time', placeholder: 'ISO', description: "the event's created_at: lets the order guard check the first page" },
      sink: sinkFlag("move only that sink's position"),
      config,
    },
    example: 'workos-events-sync cursor set event_01HXYZ --created-at 2026-01-02T03:04:05Z --config config.json',
    async run(values, [eventId], { io }) {
      return (await import('./cursor-command.js')).cursorCommand(values.config, { action: 'set', eventId, createdAt: values['created-at'], sink: values.sink }, io);
    },
  }),
  cursorShowOrReset('reset', 'forget the positions (or that sink\'s): the next drain starts from "startFrom"', "forget only that sink's position"),
  defineCommand({
    name: 'events',
    summary: 'print events as JSON lines, oldest first, without touching the cursor',
    flags: {
      after: { kind: 'string', placeholder: 'ID', description: 'start after that event' },
      from: { kind: 'time', placeholder: 'ISO', description: 'start at that time (not with --after)' },
      types: { kind: 'string', placeholder: 'a,b', description: 'only these event types, comma-separated' },
      organization: { kind: 'string', placeholder: 'ID', description: "only that organization's events" },
      limit: { kind: 'count', placeholder: 'N', description: 'print at most N events (default 100)' },
      config,
    },
    example: 'workos-events-sync events --from 2026-11-30T00:00:00Z --types user.created,user.updated --limit 10',
    async run(values, _positionals, { io }) {
      const { after, from, types, organization, limit } = values;
      return (await import('./events-command.js')).eventsCommand(values.config, { after, from, types, organization, limit }, io);
    },
  }),
  defineCommand({
    name: 'dlq list',
    summary: 'print the dead letters (events a sink refused) as JSON lines',
    flags: {
      sink: sinkFlag("only that sink's dead letters"),
      limit: { kind: 'count', placeholder: 'N', description: 'print at most N dead letters' },
      config,
    },
    example: 'workos-events-sync dlq list --sink archive --limit 20 --config config.json',
    async run(values, _positionals, { io }) {
      return (await import('./dlq-command.js')).dlqCommand(values.config, { action: 'list', sink: values.sink, limit: values.limit }, io);
    },
  }),
  defineCommand({
    name: 'dlq replay',
    summary: 'hand the dead letters to their sink again',
    flags: { sink: sinkFlag("only that sink's dead letters"), config },
    example: 'workos-events-sync dlq replay --sink archive --config config.json',
    async run(values, _positionals, { io }) {
      return (await import('./dlq-command.js')).dlqCommand(values.config, { action: 'replay', sink: values.sink }, io);
    },
  }),
  defineCommand({
    name: 'webhook-test',
    summary: 'send a correctly signed sample webhook delivery to an endpoint',
    flags: {
      url: { kind: 'string', placeholder: 'URL', description: 'the endpoint (ours: https://HOST/webhooks/workos)' },
      secret: { kind: 'string', placeholder: 'S', description: "the endpoint's webhook secret (default: $WORKOS_WEBHOOK_SECRET)" },
    },
    example: 'workos-events-sync webhook-test --url https://sync.example.com/webhooks/workos',
    async run(values, _positionals, { io }) {
      return (await import('./webhook-test-command.js')).webhookTestCommand({ url: values.url, secret: values.secret }, io);
    },
  }),
  defineCommand({
    name: 'reconcile',
    summary: "compare the postgres_mirror tables with WorkOS; --fix repairs them",
    flags: {
      fix: { kind: 'boolean', description: 'make every differing row equal to WorkOS; exit 0 once all are' },
      sink: sinkFlag('which postgres_mirror sink, when the config has several'),
      config,
    },
    example: 'workos-events-sync reconcile --fix --config config.json',
    heapLimits: true,
    async run(values, _positionals, { io }) {
      return (await import('./reconcile-command.js')).reconcileCommand(values.config, { fix: values.fix ?? false, sink: values.sink }, io);
    },
  }),
];
