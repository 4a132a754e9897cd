import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A test's HTTP server listening on a free loopback port: its base URL, and a close that drops kept-alive connections. */
export async function listenOnLoopback(server: Server): Promise<{ readonly origin: string; close(): Promise<void> }> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => {
      server.closeAllConnections();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
