import type { CommandDefinition } from './command-definition.js';

const PROGRAM = 'workos-events-sync';

function table(rows: ReadonlyArray<readonly [string, string]>): string {
  const width = Math.max(...rows.map(([left]) => left.length)) + 2;
  return rows.map(([left, right]) => `  ${left.padEnd(width)}${right}\n`).join('');
}

function synopsis(definition: CommandDefinition): string {
  return [definition.name, ...(definition.positionals ?? [])].join(' ');
}

/** `workos-events-sync --help`: every command in one line, and where to read more. */
export function formatProgramHelp(definitions: readonly CommandDefinition[]): string {
  return `Usage: ${PROGRAM} <command> [flags]

Commands:
${table(definitions.map((d) => [synopsis(d), d.summary]))}
Run "${PROGRAM} <command> --help" for a command's flags and an example.

Flags:
${table([['-h, --help', 'show this help'], ['-v, --version', 'show the version']])}
Environment: WORKOS_API_KEY (required for run, once, check, events, reconcile), WORKOS_WEBHOOK_SECRET
(turns on the webhook doorbell of run), WORKOS_BASE_URL, REDIS_URL, LOG_LEVEL, LOG_FORMAT.
A secret (WORKOS_API_KEY, WORKOS_WEBHOOK_SECRET, REDIS_URL, a \${VAR} in the config) may instead
be read from the file its <NAME>_FILE variable names (Docker and Kubernetes secrets).
Exit codes: 0 ok, 78 bad usage, config, key or cursor, 1 anything else.
`;
}

/** `workos-events-sync cursor --help`: the commands that begin with that word. */
export function formatGroupHelp(group: string, definitions: readonly CommandDefinition[]): string {
  return `Usage: ${PROGRAM} ${group} <${definitions.map((d) => d.name.slice(group.length + 1)).join('|')}> [flags]

Commands:
${table(definitions.map((d) => [synopsis(d), d.summary]))}
Run "${PROGRAM} ${group} <command> --help" for a command's flags and an example.
`;
}

/** `workos-events-sync <command> --help`: its usage, what it does, every flag it takes, an example. */
export function formatCommandHelp(definition: CommandDefinition): string {
  const flags = Object.entries(definition.flags).map(([name, flag]): [string, string] => [
    `${flag.short ? `-${flag.short}, ` : ''}--${name}${flag.placeholder ? ` ${flag.placeholder}` : ''}`,
    flag.description,
  ]);
  flags.push(['-h, --help', 'show this help']);
  return `Usage: ${PROGRAM} ${synopsis(definition)} [flags]

${definition.summary[0]!.toUpperCase()}${definition.summary.slice(1)}.

Flags:
${table(flags)}
Example:
  ${definition.example}
`;
}
