import { subscribe } from 'node:diagnostics_channel';

/** What undici publishes on `undici:client:sendHeaders`: the request's origin and path (with the query). */
interface SendHeadersMessage {
  readonly request: { readonly origin: string; readonly path: string };
}

const waiting = new Map<string, Set<() => void>>();
let listening = false;

function keyOf(url: URL): string {
  return `${url.origin}${url.pathname}${url.search}`;
}

function onSendHeaders(message: unknown): void {
  if (waiting.size === 0) return;
  const { request } = message as SendHeadersMessage;
  let key: string;
  try {
    key = keyOf(new URL(request.path, request.origin));
  } catch {
    return;
  }
  const callbacks = waiting.get(key);
  if (!callbacks) return;
  waiting.delete(key);
  for (const callback of callbacks) callback();
}

/**
 * Calls `callback` once a request to `url` has been written to its socket, as Node's fetch
 * (undici) reports on its diagnostics channel. The pipeline uses it to put the next page's
 * request on the wire before the sinks get the current page: the request then waits on the
 * network while the sinks work, instead of after them. Returns a function that stops waiting
 * (call it when the request settles; a fetch that reports nothing just never calls back).
 */
export function whenRequestSent(url: string | URL, callback: () => void): () => void {
  if (!listening) {
    subscribe('undici:client:sendHeaders', onSendHeaders);
    listening = true;
  }
  const key = keyOf(new URL(url));
  let callbacks = waiting.get(key);
  if (!callbacks) waiting.set(key, (callbacks = new Set()));
  callbacks.add(callback);
  return () => {
    const current = waiting.get(key);
    current?.delete(callback);
    if (current?.size === 0) waiting.delete(key);
  };
}
