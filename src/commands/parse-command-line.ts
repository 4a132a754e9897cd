import { parseArgs } from 'node:util';
import type { CommandDefinition, FlagDefinition } from './command-definition.js';
import { formatCommandHelp, formatGroupHelp, formatProgramHelp } from './format-help.js';

/** What the command line asks for; the CLI turns each into output and an exit code. */
export type CommandLine =
  /** Print `text` and exit 0. */
  | { readonly kind: 'help'; readonly text: string }
  | { readonly kind: 'version' }
  /** No command at all: print the usage, exit 78. */
  | { readonly kind: 'usage'; readonly text: string }
  /** A usage error: print `message` (one line) to stderr, exit 78. */
  | { readonly kind: 'error'; readonly message: string }
  | { readonly kind: 'command'; readonly definition: CommandDefinition; readonly values: Readonly<Record<string, string | boolean>>; readonly positionals: readonly string[] };

const PROGRAM = 'workos-events-sync';
const HELP = new Set(['-h', '--help']);

function usageError(command: string, reason: string): CommandLine {
  return { kind: 'error', message: `${PROGRAM}: ${command}: ${reason} (see "${PROGRAM} ${command} --help")` };
}

function quoted(values: readonly string[]): string {
  const q = values.map((v) => `"${v}"`);
  return q.length < 2 ? q.join('') : `${q.slice(0, -1).join(', ')} or ${q.at(-1)}`;
}

/** Why a flag's value does not fit its kind, or nothing. */
function valueProblem(flag: FlagDefinition, value: string): string | undefined {
  if (flag.kind === 'count' && !/^[1-9][0-9]*$/.test(value)) return `expected a whole number above 0, got "${value}"`;
  if (flag.kind === 'time' && Number.isNaN(Date.parse(value))) return `expected an ISO time such as 2026-11-01T00:00:00Z, got "${value}"`;
  return undefined;
}

/**
 * Parses the arguments after the command's words against that command's flags only: a flag of
 * another command, an unknown one, one given twice, a value of the wrong kind or a missing or
 * extra positional is a usage error naming the command. `--help` anywhere prints its help.
 */
function parseCommand(definition: CommandDefinition, args: readonly string[], all: readonly CommandDefinition[]): CommandLine {
  const options = Object.fromEntries(
    Object.entries(definition.flags).map(([name, flag]) => [name, { type: flag.kind === 'boolean' ? ('boolean' as const) : ('string' as const), ...(flag.short ? { short: flag.short } : {}) }]),
  );
  // Not strict: the tokens let us say which command a stray flag belongs to, which strict mode's
  // errors cannot.
  const { tokens } = parseArgs({ args: [...args], options: { ...options, help: { type: 'boolean', short: 'h' } }, strict: false, allowPositionals: true, tokens: true });
  if (tokens.some((t) => t.kind === 'option' && t.name === 'help')) return { kind: 'help', text: formatCommandHelp(definition) };
  const values: Record<string, string | boolean> = {};
  const positionals: string[] = [];
  for (const token of tokens) {
    if (token.kind === 'positional') positionals.push(token.value);
    if (token.kind !== 'option') continue;
    const flag = definition.flags[token.name];
    if (!flag) {
      const owners = all.filter((d) => token.name in d.flags).map((d) => d.name);
      if (owners.length === 0) return usageError(definition.name, `unknown flag ${token.rawName}`);
      return usageError(definition.name, `${token.rawName} is a flag of ${owners.length > 3 ? 'other commands' : owners.join(', ')}, not of ${definition.name}`);
    }
    if (token.name in values) return usageError(definition.name, `${token.rawName} given twice`);
    if (flag.kind === 'boolean') {
      if (token.value !== undefined) return usageError(definition.name, `${token.rawName} takes no value, got "${token.value}"`);
      values[token.name] = true;
      continue;
    }
    // A flag's value may start with a dash only as --flag=-x: `--config --sink a` forgot the path.
    if (token.value === undefined || (!token.inlineValue && token.value.startsWith('-'))) {
      return usageError(definition.name, `${token.rawName} needs a value (${flag.placeholder ?? 'TEXT'})${token.value === undefined ? '' : `, got the flag "${token.value}"`}`);
    }
    const problem = valueProblem(flag, token.value);
    if (problem) return usageError(definition.name, `${token.rawName}: ${problem}`);
    values[token.name] = token.value;
  }
  const wanted = definition.positionals ?? [];
  if (positionals.length > wanted.length) return usageError(definition.name, `unexpected argument "${positionals[wanted.length]}"`);
  if (positionals.length < wanted.length) return usageError(definition.name, `expected ${wanted[positionals.length]}`);
  return { kind: 'command', definition, values, positionals };
}

/** Reads `argv` (without node and the script): the command's words first, then its flags. */
export function parseCommandLine(argv: readonly string[], definitions: readonly CommandDefinition[]): CommandLine {
  const [first, ...rest] = argv;
  if (first === undefined) return { kind: 'usage', text: formatProgramHelp(definitions) };
  if (first === 'help' || HELP.has(first)) {
    return rest.length === 0 ? { kind: 'help', text: formatProgramHelp(definitions) } : parseCommandLine([...rest, '--help'], definitions);
  }
  if (first === '-v' || first === '--version') {
    return rest.length === 0 ? { kind: 'version' } : { kind: 'error', message: `${PROGRAM}: ${first} takes nothing else, got "${rest[0]}" (see "${PROGRAM} --help")` };
  }
  if (first.startsWith('-')) return { kind: 'error', message: `${PROGRAM}: the command comes first, then its flags: "${PROGRAM} <command> ${first} ..." (see "${PROGRAM} --help")` };
  const exact = definitions.find((d) => d.name === first);
  if (exact) return parseCommand(exact, rest, definitions);
  const group = definitions.filter((d) => d.name.startsWith(`${first} `));
  if (group.length === 0) return { kind: 'error', message: `${PROGRAM}: unknown command "${first}"; see --help` };
  const words = group.map((d) => d.name.slice(first.length + 1));
  const [second, ...flags] = rest;
  if (second !== undefined && HELP.has(second)) return { kind: 'help', text: formatGroupHelp(first, group) };
  if (second === undefined) return usageError(first, `expected ${quoted(words)}`);
  if (second.startsWith('-')) return usageError(first, `expected ${quoted(words)} before the flags, got ${second}`);
  const definition = group.find((d) => d.name === `${first} ${second}`);
  if (!definition) return usageError(first, `expected ${quoted(words)}, got "${second}"`);
  return parseCommand(definition, flags, definitions);
}
