import type { CommandIO } from './command-io.js';

/**
 * What a flag's value must look like. The parser checks it before any command module is loaded,
 * so `--limit ten` is a usage error (78) like an unknown flag, not a surprise halfway through.
 */
export type FlagKind =
  | 'boolean'
  /** Any text. */
  | 'string'
  /** A whole number above 0. */
  | 'count'
  /** A time `Date.parse` reads (ISO 8601). */
  | 'time';

export interface FlagDefinition {
  readonly kind: FlagKind;
  readonly short?: string;
  /** The value's name in the help (`--sink NAME`); none for a boolean. */
  readonly placeholder?: string;
  readonly description: string;
}

export type FlagDefinitions = Readonly<Record<string, FlagDefinition>>;

type ValueOf<K extends FlagKind> = K extends 'boolean' ? boolean : string;

/** The parsed values of a command's flags, typed from its definition: boolean or string, absent when not given. */
export type FlagValues<F extends FlagDefinitions> = { readonly [K in keyof F]?: ValueOf<F[K]['kind']> };

/** What the CLI hands a command when it runs: the real process's IO and its signals. */
export interface CommandContext {
  readonly io: CommandIO;
  /** First SIGTERM/SIGINT calls `stop`; the second exits at once. */
  onSignals(stop: () => Promise<void>): void;
}

/**
 * One command of the CLI: its words (`cursor set`), its positionals, its flags (only these are
 * accepted), a one-line summary, an example, and `run`, which imports the command's module only
 * then, so `--help` loads no SDK, no driver and no logger.
 */
export interface CommandDefinition<F extends FlagDefinitions = FlagDefinitions> {
  readonly name: string;
  readonly summary: string;
  /** Required positionals, in order, as shown in the help (`<event_id>`); none if absent. */
  readonly positionals?: readonly string[];
  readonly flags: F;
  readonly example: string;
  /**
   * Drains events or walks a directory, holding data for a long time: the CLI starts it under
   * the heap limits of `heap-flags.ts` (unless the user sized the heap). Quick commands leave it
   * out, so they start Node once.
   */
  readonly heapLimits?: boolean;
  run(values: FlagValues<F>, positionals: readonly string[], context: CommandContext): Promise<number>;
}

/** Keeps the flag names of `definition` for the type of `run`'s values. */
export function defineCommand<const F extends FlagDefinitions>(definition: CommandDefinition<F>): CommandDefinition {
  return definition as unknown as CommandDefinition;
}
