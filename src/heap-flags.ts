// The heap limits the bin starts its long commands under, and whether it must start Node again to
// apply them. V8 reads its heap sizes once, before any JavaScript runs (`v8.setFlagsFromString`
// at run time leaves the limit where it was), so the only way for a bin to choose them is to
// re-execute Node with them; `cli.ts` does that with `process.execve`, before it imports any
// command: same PID, no parent left waiting, signals go straight to the new image.
//
// Why these sizes. V8 sizes its heap from the machine's memory. On a large host a long catch-up
// grows the young generation to 128 MB and lets the old one fill with garbage: RSS passes 300 MB
// while the live heap stays near 20 MB. A small heap limit alone makes V8 collect every few
// hundred ms, and the CPU per event doubles. These two sizes together keep the peak RSS of a
// 1,000,000-event drain near 140 MB instead of 340, for a little more CPU per event than Node's
// own sizing (bench/README.md, figure 3); 512 MB is over 20 times the daemon's live heap.
// `reconcile` of a very large account may need more: any heap-size flag of the user's own
// (NODE_OPTIONS or node's arguments) replaces both of these.
//
// Where `process.execve` is missing (Node before 22.15 or 23.11) or unavailable (Windows), the
// command runs with Node's own sizing; set NODE_OPTIONS to these flags there.

/** The heap flags the Docker image used to set in NODE_OPTIONS; now the bin's own. */
export const HEAP_FLAGS: readonly string[] = ['--max-semi-space-size=4', '--max-old-space-size=512'];

/**
 * A flag that sizes V8's heap, in every spelling Node or V8 takes: one dash or two, `-` or `_`
 * between the words, always with `=` (Node refuses `--max-old-space-size 512`). With any of these
 * the user has sized the heap, and ours would only fight theirs: V8 aborts on `--max-heap-size`
 * next to both of ours, and a `--min-semi-space-size` above our maximum makes no sense. There is
 * no `--max-young-generation-size` in Node 24 (it is a bad option); the young generation is the
 * semi-space flags.
 */
const HEAP_SIZE_FLAG =
  /^--?(?:max[-_]old[-_]space[-_]size(?:[-_]percentage)?|max[-_]semi[-_]space[-_]size|min[-_]semi[-_]space[-_]size|max[-_]heap[-_]size|initial[-_]heap[-_]size|initial[-_]old[-_]space[-_]size)=/;

/** How this Node was started, as `process` has it. */
export interface NodeStart {
  readonly execPath: string;
  /** Node's own arguments before the script (`--import` hooks, flags). */
  readonly execArgv: readonly string[];
  /** The script: `process.argv[1]` (none in a REPL). */
  readonly script: string | undefined;
  /** The script's arguments: the command line after the script. */
  readonly args: readonly string[];
  readonly nodeOptions: string | undefined;
  readonly platform: string;
  /** Whether `process.execve` is there at all (Node 22.15 / 23.11 and later). */
  readonly hasExecve: boolean;
}

/** What to hand `process.execve`: the file and the whole argv, `argv[0]` included. */
export interface HeapReexec {
  readonly file: string;
  readonly args: readonly string[];
}

/** Splits NODE_OPTIONS as Node does: on spaces, except inside double quotes, where `\` escapes. */
export function splitNodeOptions(text: string): string[] {
  const words: string[] = [];
  let word = '';
  let quoted = false;
  let started = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted && c === '\\' && i + 1 < text.length) {
      word += text[++i];
    } else if (c === '"') {
      quoted = !quoted;
      started = true;
    } else if (c === ' ' && !quoted) {
      if (started) words.push(word);
      word = '';
      started = false;
    } else {
      word += c;
      started = true;
    }
  }
  if (started) words.push(word);
  return words;
}

/** Whether the user sized the heap themselves, in node's arguments or in NODE_OPTIONS. */
export function userSizedHeap(execArgv: readonly string[], nodeOptions: string | undefined): boolean {
  return [...execArgv, ...splitNodeOptions(nodeOptions ?? '')].some((flag) => HEAP_SIZE_FLAG.test(flag));
}

/**
 * How to start Node again under `HEAP_FLAGS` for a command that asks for heap limits, or nothing
 * to go on as started: the command does not ask, the user sized the heap, or this Node cannot
 * replace itself. The user's own node arguments follow ours and the script's arguments are kept
 * as they were. Once started again the flags are in execArgv, so it happens once.
 */
export function heapReexec(wantsHeapLimits: boolean, start: NodeStart): HeapReexec | undefined {
  if (!wantsHeapLimits || start.script === undefined) return undefined;
  // Node defines process.execve on Windows too, where it throws.
  if (!start.hasExecve || start.platform === 'win32' || start.platform === 'os400') return undefined;
  if (userSizedHeap(start.execArgv, start.nodeOptions)) return undefined;
  return { file: start.execPath, args: [start.execPath, ...HEAP_FLAGS, ...start.execArgv, start.script, ...start.args] };
}
