import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { promisify } from 'node:util';

const run = promisify(execFile);

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/**
 * A Redis server of the test's own on a free port, so a fault test can stop and restart it
 * (with Redis's own commands) without touching the machine's shared Redis. Like that one, it
 * keeps nothing on disk: a restart comes back empty.
 */
export class TestRedisServer {
  private child: ChildProcess | undefined;
  private constructor(readonly port: number, private readonly extraArgs: readonly string[]) {}

  /** `extraArgs` are added to redis-server's command line, e.g. `--dir` for a test that turns persistence on. */
  static async start(extraArgs: readonly string[] = []): Promise<TestRedisServer> {
    const server = new TestRedisServer(await freePort(), extraArgs);
    await server.restart();
    return server;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  async ping(): Promise<boolean> {
    return run('redis-cli', ['-p', String(this.port), 'ping']).then((r) => r.stdout.trim() === 'PONG', () => false);
  }

  /** `redis-server` in the foreground, as a child of the test. */
  async restart(): Promise<void> {
    this.child = spawn('redis-server', ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', ...this.extraArgs], { stdio: 'ignore' });
    for (let i = 0; i < 100 && !(await this.ping()); i++) await new Promise((r) => setTimeout(r, 50));
    if (!(await this.ping())) throw new Error(`redis-server on port ${this.port} did not start`);
  }

  /** `redis-cli shutdown nosave`: the way an operator stops it. */
  async stop(): Promise<void> {
    const child = this.child;
    this.child = undefined;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    await run('redis-cli', ['-p', String(this.port), 'shutdown', 'nosave']).catch(() => child.kill('SIGKILL'));
    await exited;
  }
}
