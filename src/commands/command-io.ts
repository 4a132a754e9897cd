import type { Writable } from 'node:stream';
import type { Env } from '../config/env.js';
import { isWesError } from '../errors.js';

/** What a command may touch of the outside world; the CLI passes the real process's, tests their own. */
export interface CommandIO {
  readonly stdout: Writable;
  readonly stderr: Writable;
  readonly env: Env;
}

export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
/** EX_CONFIG from sysexits.h: the config, the key or the cursor needs a person's fix. */
export const EXIT_CONFIG = 78;

export function exitCodeFor(err: unknown): number {
  return isWesError(err) && err.isConfigProblem ? EXIT_CONFIG : EXIT_FAILURE;
}

/** Prints a failure as one line per problem (a config may have several), prefixed with the program name. */
export function reportFailure(io: CommandIO, err: unknown): number {
  const problems = isWesError(err) && 'problems' in err ? (err.problems as readonly string[]) : [err instanceof Error ? err.message : String(err)];
  for (const problem of problems) io.stderr.write(`workos-events-sync: ${problem}\n`);
  return exitCodeFor(err);
}

/** The flags `run` and `once` share: recoveries a person asks for explicitly. */
export interface StartFlags {
  /** `--from <ISO>`: re-read from that time, then continue with the cursor. */
  readonly from?: string | undefined;
  /** `--reset-cursor`: forget the cursor first. */
  readonly resetCursor?: boolean | undefined;
  /** `--accept-filter-change`: keep the position of a cursor made with another filter. */
  readonly acceptFilterChange?: boolean | undefined;
  /** `--sink NAME`: `--from` and `--reset-cursor` move that sink only. */
  readonly sink?: string | undefined;
}
