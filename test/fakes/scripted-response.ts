/** A JSON answer; `json` defaults to `{ message: <status text> }`. */
export interface ScriptedJson {
  kind?: 'json';
  status: number;
  json?: unknown;
  headers?: Record<string, string>;
}

/** An HTML answer, as a proxy in front of the API sends (`text/html`). */
export interface ScriptedHtml {
  kind?: 'html';
  status: number;
  html: string;
  headers?: Record<string, string>;
}

/** Destroys the socket without answering: the client sees a network error. */
export interface ScriptedReset {
  kind: 'reset';
}

/** Waits `ms`, then answers normally: a slow API. */
export interface ScriptedDelay {
  kind: 'delay';
  ms: number;
}

/** A raw body sent as is, for malformed pages; `contentType` defaults to `application/json`. */
export interface ScriptedBody {
  kind: 'body';
  status: number;
  body: string;
  contentType?: string;
  headers?: Record<string, string>;
}

/** Normal handling; a placeholder in a sequence. */
export interface ScriptedPassthrough {
  kind: 'passthrough';
}

/** One scripted answer, consumed by the next incoming request (any path), in arrival order. */
export type ScriptedResponse =
  | ScriptedJson
  | ScriptedHtml
  | ScriptedReset
  | ScriptedDelay
  | ScriptedBody
  | ScriptedPassthrough;

/** What a scripted response turns into on the wire. */
export type ScriptedAction =
  | { type: 'reply'; status: number; body: string; contentType: string; headers: Record<string, string> }
  | { type: 'reset' }
  | { type: 'delay'; ms: number }
  | { type: 'passthrough' };

export function resolveScripted(response: ScriptedResponse, statusText: (status: number) => string): ScriptedAction {
  switch (response.kind) {
    case 'reset':
      return { type: 'reset' };
    case 'delay':
      return { type: 'delay', ms: response.ms };
    case 'passthrough':
      return { type: 'passthrough' };
    case 'body':
      return {
        type: 'reply',
        status: response.status,
        body: response.body,
        contentType: response.contentType ?? 'application/json',
        headers: response.headers ?? {},
      };
    default:
      if ('html' in response) {
        return { type: 'reply', status: response.status, body: response.html, contentType: 'text/html; charset=utf-8', headers: response.headers ?? {} };
      }
      return {
        type: 'reply',
        status: response.status,
        body: JSON.stringify(response.json === undefined ? { message: statusText(response.status) } : response.json),
        contentType: 'application/json; charset=utf-8',
        headers: response.headers ?? {},
      };
  }
}
