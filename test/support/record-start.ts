// Preloaded into a CLI process (`node --import ./test/support/record-start.ts ...`): appends one
// JSON line to $RECORD_START_FILE each time a Node image starts, with its PID and node's arguments,
// so a test can count the images of one process (process.execve keeps the PID and, since the bin
// keeps node's arguments, this hook too). Erasable TypeScript and node: imports only.
import { appendFileSync } from 'node:fs';

const out = process.env.RECORD_START_FILE;
if (out) appendFileSync(out, `${JSON.stringify({ pid: process.pid, execArgv: process.execArgv })}\n`);
