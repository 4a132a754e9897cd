import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';

/** What `/healthz` and `/readyz` answer: `ok` decides the status code, the other fields explain it. */
export interface HealthReport {
  ok: boolean;
  [field: string]: unknown;
}

/** A route's handler owns the response: it sets the status, headers and body itself. */
export type RouteHandler = (req: IncomingMessage, res: ServerResponse) => void | Promise<void>;

export interface HttpServerOptions {
  /** Interface to bind, e.g. `127.0.0.1` or `0.0.0.0`. */
  host: string;
  /** Port to bind; 0 picks a free one (tests). */
  port: number;
  logger: Logger;
  /** Liveness for `/healthz`: 200 when `ok`, else 503. Must be cheap and synchronous. */
  health: () => HealthReport;
  /** Readiness for `/readyz`: 200 when `ok`, else 503; also 503 when it throws or outlasts `readyTimeoutMs`. */
  ready: () => Promise<HealthReport>;
  /** The exposition for `/metrics`. */
  metrics: () => Promise<{ contentType: string; body: string }>;
  /** Extra routes, e.g. a webhook endpoint later: exact path -> handler; the handler owns the response. */
  routes?: Record<string, RouteHandler>;
  /** How long `/readyz` waits for `ready()`, in ms. Default: 2000. */
  readyTimeoutMs?: number;
  /** How long `close()` lets requests in flight finish before cutting every connection, in ms. Default: 1000. */
  closeGraceMs?: number;
}

export interface HttpServer {
  /** Base URL, e.g. `http://127.0.0.1:9464`. */
  readonly url: string;
  readonly port: number;
  /** Idempotent: stops accepting, closes idle keep-alive sockets at once and the rest after the grace period. */
  close(): Promise<void>;
}

/**
 * The built-in routes, shared with what points at them from outside (the Kubernetes probes and
 * ServiceMonitor are tested against these), so that a rename cannot leave a probe asking for a
 * path that is gone.
 */
export const ROUTES = { health: '/healthz', ready: '/readyz', metrics: '/metrics' } as const;

/** How long `/readyz` waits for its checks before answering 503 itself; a probe's timeout must be longer. */
export const DEFAULT_READY_TIMEOUT_MS = 2000;

const BUILT_IN = [ROUTES.health, ROUTES.ready, ROUTES.metrics] as const;
const ALLOW = 'GET, HEAD';

/**
 * The daemon's small HTTP face: `/healthz`, `/readyz`, `/metrics`, plus any extra exact-path
 * routes. Plain node:http: three routes do not justify a framework. A failing handler answers 500
 * and is logged; it never takes the process down.
 */
export async function startHttpServer(options: HttpServerOptions): Promise<HttpServer> {
  const { logger } = options;
  const routes = options.routes ?? {};
  for (const path of Object.keys(routes)) {
    if (!path.startsWith('/')) throw new Error(`http route "${path}" must start with "/"`);
    if ((BUILT_IN as readonly string[]).includes(path)) throw new Error(`http route "${path}" is built in and cannot be replaced`);
  }
  const readyTimeoutMs = options.readyTimeoutMs ?? DEFAULT_READY_TIMEOUT_MS;
  const closeGraceMs = options.closeGraceMs ?? 1000;

  const builtIn: Record<(typeof BUILT_IN)[number], (req: IncomingMessage, res: ServerResponse) => Promise<void>> = {
    [ROUTES.health]: async (req, res) => {
      const report = options.health();
      sendJson(req, res, report.ok ? 200 : 503, report, { 'Cache-Control': 'no-store' });
    },
    [ROUTES.ready]: async (req, res) => {
      const report = await readiness(options.ready, readyTimeoutMs, logger);
      sendJson(req, res, report.ok ? 200 : 503, report, { 'Cache-Control': 'no-store' });
    },
    [ROUTES.metrics]: async (req, res) => {
      const { contentType, body } = await options.metrics();
      send(req, res, 200, body, { 'Content-Type': contentType });
    },
  };

  const handle = async (req: IncomingMessage, res: ServerResponse, path: string): Promise<void> => {
    const route = routes[path];
    if (route) return route(req, res);
    if (!isBuiltIn(path)) return sendJson(req, res, 404, { error: 'not found' });
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      return sendJson(req, res, 405, { error: 'method not allowed' }, { Allow: ALLOW });
    }
    return builtIn[path](req, res);
  };

  const server = createServer((req, res) => {
    // Routing is on the path alone; the query string never selects a route.
    const path = (req.url ?? '/').split('?', 1)[0] ?? '/';
    Promise.resolve()
      .then(() => handle(req, res, path))
      .catch((err: unknown) => {
        logger.error({ err, method: req.method, path }, 'http request handler failed');
        if (!res.headersSent) sendJson(req, res, 500, { error: 'internal error' });
        else res.destroy();
      });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  server.on('error', (err) => logger.error({ err }, 'http server error'));

  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const url = `http://${host}:${address.port}`;
  logger.info({ url }, 'http server listening');

  let closing: Promise<void> | undefined;
  return {
    url,
    port: address.port,
    close() {
      closing ??= new Promise<void>((resolve) => {
        const cutoff = setTimeout(() => server.closeAllConnections(), closeGraceMs);
        cutoff.unref();
        server.close(() => {
          clearTimeout(cutoff);
          logger.debug({ url }, 'http server closed');
          resolve();
        });
        // Keep-alive sockets with no request would otherwise hold close() open until they time out.
        server.closeIdleConnections();
      });
      return closing;
    },
  };
}

function isBuiltIn(path: string): path is (typeof BUILT_IN)[number] {
  return (BUILT_IN as readonly string[]).includes(path);
}

const TIMED_OUT = Symbol('timed out');

/** `ready()` bounded in time: a hung dependency must make the probe fail, not hang with it. */
async function readiness(ready: () => Promise<HealthReport>, timeoutMs: number, logger: Logger): Promise<HealthReport> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<typeof TIMED_OUT>((resolve) => {
    timer = setTimeout(() => resolve(TIMED_OUT), timeoutMs);
  });
  try {
    const report = await Promise.race([Promise.resolve().then(ready), timeout]);
    if (report !== TIMED_OUT) return report;
    logger.warn({ timeoutMs }, 'readiness check timed out');
    return { ok: false, reason: `readiness check took longer than ${timeoutMs} ms` };
  } catch (err) {
    logger.warn({ err }, 'readiness check failed');
    return { ok: false, reason: err instanceof Error ? err.message : String(err) };
  } finally {
    clearTimeout(timer);
  }
}

function sendJson(req: IncomingMessage, res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  send(req, res, status, `${JSON.stringify(body)}\n`, { 'Content-Type': 'application/json; charset=utf-8', ...headers });
}

function send(req: IncomingMessage, res: ServerResponse, status: number, body: string, headers: Record<string, string>): void {
  res.writeHead(status, { ...headers, 'Content-Length': Buffer.byteLength(body) });
  // HEAD gets the headers of the GET answer, without its body.
  res.end(req.method === 'HEAD' ? undefined : body);
}
