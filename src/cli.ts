#!/usr/bin/env node
// The only file that touches `process`: argv, env, signals, exit codes. Everything below takes
// what it needs as arguments, which is what lets the tests run commands in-process.
import { readFileSync } from 'node:fs';
import { commandDefinitions } from './commands/command-definitions.js';
import { EXIT_CONFIG, EXIT_FAILURE, EXIT_OK, type CommandIO } from './commands/command-io.js';
import { parseCommandLine } from './commands/parse-command-line.js';
import { HEAP_FLAGS, heapReexec } from './heap-flags.js';

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

/**
 * Replaces this process with a Node started under the bin's heap limits when the command asks for
 * them and the user sized no heap (heap-flags.ts). Returns only when there is nothing to do, or
 * when the restart failed: then the command runs with Node's own sizing, which is only more memory.
 */
function applyHeapLimits(wantsHeapLimits: boolean, args: readonly string[]): void {
  const reexec = heapReexec(wantsHeapLimits, {
    execPath: process.execPath,
    execArgv: process.execArgv,
    script: process.argv[1],
    args,
    nodeOptions: process.env.NODE_OPTIONS,
    platform: process.platform,
    hasExecve: typeof process.execve === 'function',
  });
  if (!reexec) return;
  try {
    process.execve!(reexec.file, [...reexec.args], process.env);
  } catch (err) {
    process.stderr.write(`workos-events-sync: could not start Node again with ${HEAP_FLAGS.join(' ')} (${err instanceof Error ? err.message : String(err)}); going on with Node's own heap sizing\n`);
  }
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
  // Only the parser and the command table load here: a command's module (and with it the SDK,
  // the drivers, pino) is imported once that command runs, so --help and --version start fast.
  const line = parseCommandLine(argv, commandDefinitions);
  switch (line.kind) {
    case 'version':
      process.stdout.write(`${version()}\n`);
      return EXIT_OK;
    case 'help':
      process.stdout.write(line.text);
      return EXIT_OK;
    case 'usage':
      process.stdout.write(line.text);
      return EXIT_CONFIG;
    case 'error':
      process.stderr.write(`${line.message}\n`);
      return EXIT_CONFIG;
    case 'command': {
      // Before the command's module loads: the image that ran until here is thrown away.
      applyHeapLimits(line.definition.heapLimits ?? false, argv);
      const io: CommandIO = { stdout: process.stdout, stderr: process.stderr, env: process.env };
      return line.definition.run(line.values, line.positionals, { io, onSignals });
    }
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
