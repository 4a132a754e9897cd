import { describe, expect, it } from 'vitest';
import { commandDefinitions } from '../../src/commands/command-definitions.js';
import { HEAP_FLAGS, heapReexec, splitNodeOptions, userSizedHeap, type NodeStart } from '../../src/heap-flags.js';

const start: NodeStart = {
  execPath: '/usr/local/bin/node',
  execArgv: [],
  script: '/usr/local/lib/node_modules/workos-events-sync/dist/cli.js',
  args: ['once', '--config', 'config.json'],
  nodeOptions: undefined,
  platform: 'linux',
  hasExecve: true,
};

describe('heapReexec', () => {
  it('starts node again with the heap flags first, then the script and its arguments as given', () => {
    expect(heapReexec(true, start)).toEqual({
      file: '/usr/local/bin/node',
      args: ['/usr/local/bin/node', ...HEAP_FLAGS, '/usr/local/lib/node_modules/workos-events-sync/dist/cli.js', 'once', '--config', 'config.json'],
    });
  });

  it("keeps the user's own node arguments (an --import hook) after the heap flags, and ignores what NODE_OPTIONS adds that is not a heap size", () => {
    const reexec = heapReexec(true, { ...start, execArgv: ['--import', '/hooks/usage.ts', '--enable-source-maps'], nodeOptions: '--import /hooks/other.ts --no-warnings' });
    expect(reexec?.args).toEqual(['/usr/local/bin/node', ...HEAP_FLAGS, '--import', '/hooks/usage.ts', '--enable-source-maps', start.script, ...start.args]);
  });

  it('does nothing for a command that does not ask for heap limits', () => {
    expect(heapReexec(false, start)).toBeUndefined();
  });

  it('does nothing once started again: the flags are then in execArgv, so it cannot loop', () => {
    const again = heapReexec(true, start)!;
    const execArgv = again.args.slice(1, again.args.indexOf(start.script!));
    expect(heapReexec(true, { ...start, execArgv })).toBeUndefined();
  });

  it('does nothing where process.execve is missing (Node before 22.15) or throws (Windows, IBM i)', () => {
    expect(heapReexec(true, { ...start, hasExecve: false })).toBeUndefined();
    expect(heapReexec(true, { ...start, platform: 'win32' })).toBeUndefined();
    expect(heapReexec(true, { ...start, platform: 'os400' })).toBeUndefined();
    expect(heapReexec(true, { ...start, platform: 'darwin' })).toBeDefined();
  });

  it('does nothing without a script to start again (a REPL)', () => {
    expect(heapReexec(true, { ...start, script: undefined })).toBeUndefined();
  });

  it.each([
    ['NODE_OPTIONS', { nodeOptions: '--max-old-space-size=4096' }],
    ['NODE_OPTIONS, among other flags', { nodeOptions: '--enable-source-maps --max-semi-space-size=16 --no-warnings' }],
    ['NODE_OPTIONS, quoted', { nodeOptions: '"--max-old-space-size=300"' }],
    ["node's arguments", { execArgv: ['--max-heap-size=300'] }],
  ])('does nothing when the user sized the heap in %s', (_where, over) => {
    expect(heapReexec(true, { ...start, ...over })).toBeUndefined();
  });
});

describe('userSizedHeap', () => {
  it.each([
    '--max-old-space-size=512',
    '--max_old_space_size=512',
    '-max-old-space-size=512',
    '--max-old-space-size-percentage=50',
    '--max_old_space_size_percentage=50',
    '--max-semi-space-size=4',
    '--max_semi_space_size=4',
    '--min-semi-space-size=2',
    '--max-heap-size=300',
    '--initial-heap-size=64',
    '--initial-old-space-size=64',
  ])('recognises %s, in node arguments and in NODE_OPTIONS', (flag) => {
    expect(userSizedHeap([flag], undefined)).toBe(true);
    expect(userSizedHeap([], `--no-warnings ${flag}`)).toBe(true);
  });

  it.each(['--max-http-header-size=16384', '--heapsnapshot-near-heap-limit=1', '--stack-size=2000', '--v8-pool-size=4', '--import=/max-old-space-size=1.mjs'])(
    'is not fooled by %s',
    (flag) => {
      expect(userSizedHeap([flag], flag)).toBe(false);
    },
  );

  it('reads a flag inside the value of another flag as that value, as Node does', () => {
    expect(userSizedHeap([], '--title "x --max-old-space-size=1"')).toBe(false);
  });
});

describe('splitNodeOptions', () => {
  it('splits on spaces except inside double quotes, where a backslash escapes', () => {
    expect(splitNodeOptions('  --a   --b="x y" "--c=\\"q\\"" ')).toEqual(['--a', '--b=x y', '--c="q"']);
    expect(splitNodeOptions('')).toEqual([]);
    expect(splitNodeOptions('""')).toEqual(['']);
  });
});

describe('the commands that start under the heap limits', () => {
  it('are those that drain or hold data (run, once, reconcile); the quick ones start node once', () => {
    expect(commandDefinitions.filter((d) => d.heapLimits).map((d) => d.name)).toEqual(['run', 'once', 'reconcile']);
  });
});
