import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runCli } from '../support/cli-process.js';
import { tempDir } from '../support/harness.js';

/** Each command's flags, as the README documents them: only these are accepted, and its help lists them. */
const FLAGS: Record<string, readonly string[]> = {
  run: ['--from', '--reset-cursor', '--accept-filter-change', '--sink', '--config'],
  once: ['--from', '--reset-cursor', '--accept-filter-change', '--sink', '--config'],
  check: ['--config'],
  'cursor show': ['--sink', '--config'],
  'cursor set': ['--created-at', '--sink', '--config'],
  'cursor reset': ['--sink', '--config'],
  events: ['--after', '--from', '--types', '--organization', '--limit', '--config'],
  'dlq list': ['--sink', '--limit', '--config'],
  'dlq replay': ['--sink', '--config'],
  'webhook-test': ['--url', '--secret'],
  reconcile: ['--fix', '--sink', '--config'],
};
const COMMANDS = Object.keys(FLAGS);
const words = (command: string) => command.split(' ');
/** A flag some other command takes and this one does not, given a value in case it needs one. */
const strayFlagOf = (command: string) => ['--url', '--fix', '--types', '--created-at'].find((f) => !FLAGS[command]!.includes(f))!;
const hint = (command: string) => `(see "workos-events-sync ${command} --help")`;

/** No config, no key, no services: a usage error must be found before any of them is looked at. */
const env = {};

describe('a strict command line', () => {
  it('refuses the flags of other commands instead of ignoring them: cursor show --fix --url x --types a exits 78 with one line', async () => {
    const result = await runCli(['cursor', 'show', '--fix', '--url', 'x', '--types', 'a'], env);
    expect(result).toMatchObject({ code: 78, stdout: '' });
    expect(result.stderr).toBe(`workos-events-sync: cursor show: --fix is a flag of reconcile, not of cursor show ${hint('cursor show')}\n`);
  });

  it.each(COMMANDS)('%s refuses an unknown flag and a flag of another command with exit 78', async (command) => {
    const unknown = await runCli([...words(command), '--frobnicate'], env);
    expect(unknown).toMatchObject({ code: 78, stdout: '', stderr: `workos-events-sync: ${command}: unknown flag --frobnicate ${hint(command)}\n` });
    const stray = strayFlagOf(command);
    const other = await runCli([...words(command), stray, '2026-01-01T00:00:00Z'], env);
    expect(other.code).toBe(78);
    expect(other.stderr).toMatch(new RegExp(`^workos-events-sync: ${command}: ${stray} is a flag of [a-z ,-]+, not of ${command} \\(see "workos-events-sync ${command} --help"\\)\\n$`));
  });

  it('refuses a missing or extra positional, a value of the wrong kind, a flag without a value and a flag given twice', async () => {
    const refusals: Array<[string[], string]> = [
      [['cursor', 'set'], 'cursor set: expected <event_id>'],
      [['cursor', 'set', 'event_01A', 'event_01B'], 'cursor set: unexpected argument "event_01B"'],
      [['once', 'now'], 'once: unexpected argument "now"'],
      [['events', '--limit', 'ten'], 'events: --limit: expected a whole number above 0, got "ten"'],
      [['dlq', 'list', '--limit', '0'], 'dlq list: --limit: expected a whole number above 0, got "0"'],
      [['run', '--from', 'yesterday'], 'run: --from: expected an ISO time such as 2026-11-01T00:00:00Z, got "yesterday"'],
      [['cursor', 'set', 'event_01A', '--created-at', 'soon'], 'cursor set: --created-at: expected an ISO time such as 2026-11-01T00:00:00Z, got "soon"'],
      [['reconcile', '--fix=yes'], 'reconcile: --fix takes no value, got "yes"'],
      [['events', '--limit'], 'events: --limit needs a value (N)'],
      [['check', '--config', '--help-me'], 'check: --config needs a value (PATH), got the flag "--help-me"'],
      [['dlq', 'list', '--sink', 'a', '--sink', 'b'], 'dlq list: --sink given twice'],
    ];
    for (const [args, reason] of refusals) {
      const command = reason.slice(0, reason.indexOf(':'));
      const result = await runCli(args, env);
      expect({ args, code: result.code, stderr: result.stderr }).toEqual({ args, code: 78, stderr: `workos-events-sync: ${reason} ${hint(command)}\n` });
    }
  });

  it('wants the command first and the subcommand of cursor and dlq right after it', async () => {
    expect(await runCli(['--config', 'c.json', 'run'], env)).toMatchObject({
      code: 78,
      stderr: 'workos-events-sync: the command comes first, then its flags: "workos-events-sync <command> --config ..." (see "workos-events-sync --help")\n',
    });
    expect(await runCli(['cursor'], env)).toMatchObject({ code: 78, stderr: `workos-events-sync: cursor: expected "show", "set" or "reset" ${hint('cursor')}\n` });
    expect(await runCli(['dlq', 'retry'], env)).toMatchObject({ code: 78, stderr: `workos-events-sync: dlq: expected "list" or "replay", got "retry" ${hint('dlq')}\n` });
    expect(await runCli(['cursor', '--sink', 'a', 'show'], env)).toMatchObject({ code: 78, stderr: `workos-events-sync: cursor: expected "show", "set" or "reset" before the flags, got --sink ${hint('cursor')}\n` });
  });
});

describe('help and version', () => {
  it.each(COMMANDS)('%s --help prints its usage, exactly its flags and an example, with exit 0', async (command) => {
    const result = await runCli([...words(command), '--help'], env);
    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(result.stdout).toMatch(new RegExp(`^Usage: workos-events-sync ${command}\\b`));
    const flagsSection = result.stdout.slice(result.stdout.indexOf('Flags:'), result.stdout.indexOf('Example:'));
    const listed = [...flagsSection.matchAll(/^ {2}(?:-[a-z], )?(--[a-z-]+)/gm)].map((m) => m[1]);
    expect(listed).toEqual([...FLAGS[command]!, '--help']);
    expect(result.stdout).toMatch(new RegExp(`Example:\\n  workos-events-sync ${command} `));
    // -h and `help <command>` say the same.
    expect((await runCli([...words(command), '-h'], env)).stdout).toBe(result.stdout);
    expect((await runCli(['help', ...words(command)], env)).stdout).toBe(result.stdout);
  });

  it('--help lists every command; cursor --help and dlq --help list theirs', async () => {
    const help = await runCli(['--help'], env);
    expect(help.code).toBe(0);
    for (const command of COMMANDS) expect(help.stdout).toMatch(new RegExp(`^  ${command}\\b`, 'm'));
    expect(help.stdout).toContain('workos-events-sync <command> --help');
    const cursor = await runCli(['cursor', '--help'], env);
    expect(cursor.code).toBe(0);
    expect(cursor.stdout.match(/^ {2}cursor [a-z]+/gm)).toEqual(['  cursor show', '  cursor set', '  cursor reset']);
    expect((await runCli(['dlq', '-h'], env)).stdout.match(/^ {2}dlq [a-z]+/gm)).toEqual(['  dlq list', '  dlq replay']);
    const none = await runCli([], env);
    expect(none).toMatchObject({ code: 78, stdout: help.stdout });
  });

  it('--version and -v print the version of package.json', async () => {
    const { version } = JSON.parse(await readFile(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
    expect(await runCli(['--version'], env)).toMatchObject({ code: 0, stdout: `${version}\n`, stderr: '' });
    expect(await runCli(['-v'], env)).toMatchObject({ code: 0, stdout: `${version}\n` });
  });

  it('--help, a command\'s --help, --version and a usage error load no command module, no SDK, no driver and no logger', async () => {
    const hook = fileURLToPath(new URL('../support/record-loaded-modules.ts', import.meta.url));
    const dir = await tempDir('wes-cli-modules-');
    const heavy = /\/node_modules\/(@workos-inc\/node|pg|amqplib|@nats-io\/[^/]+|ioredis|pino|prom-client)\//;
    for (const args of [['--help'], ['reconcile', '--help'], ['cursor', 'set', '--help'], ['--version'], ['events', '--limit', 'ten']]) {
      const file = join(dir, `${args.join('_')}.txt`);
      const result = await runCli(args, { NODE_OPTIONS: `--import ${hook}`, LOADED_MODULES_FILE: file });
      expect(result.code).not.toBe(1);
      const loaded = (await readFile(file, 'utf8')).split('\n');
      expect(loaded).toContain(new URL('../../dist/cli.js', import.meta.url).href);
      expect({ args, heavy: loaded.filter((url) => heavy.test(url) || /\/dist\/commands\/[a-z-]+-command\.js$/.test(url)) }).toEqual({ args, heavy: [] });
    }
  });

  it('a command that runs loads its own module only, and no driver it does not use', async () => {
    const hook = fileURLToPath(new URL('../support/record-loaded-modules.ts', import.meta.url));
    const file = join(await tempDir('wes-cli-modules-'), 'loaded.txt');
    const result = await runCli(['webhook-test', '--url', 'not a url', '--secret', 's'], { NODE_OPTIONS: `--import ${hook}`, LOADED_MODULES_FILE: file });
    expect(result.code).toBe(78);
    const loaded = await readFile(file, 'utf8');
    expect(loaded).toContain('/dist/commands/webhook-test-command.js');
    expect(loaded).not.toContain('/dist/commands/reconcile-command.js');
    expect(loaded).not.toMatch(/\/node_modules\/(pg|amqplib|ioredis|pino)\//);
  });
});
