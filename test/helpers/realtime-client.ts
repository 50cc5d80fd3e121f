import { readFileSync } from 'node:fs';
import WebSocket from 'ws';

/**
 * A minimal AppSync real-time client (what aws-amplify does, without it): connect-time auth
 * as a `header-<base64url>` subprotocol next to `graphql-ws`, connection_init, then start
 * messages carrying their own authorization. Trusts the local CA explicitly.
 */

export interface RealtimeMessage {
  readonly type: string;
  readonly id?: string;
  readonly payload?: any;
}

export interface RealtimeClient {
  /** Resolves with the first message for `id` that is start_ack or error. */
  start(id: string, query: string, authorization: string, variables?: Record<string, unknown>): Promise<RealtimeMessage>;
  /** Sends stop; resolves with the `complete` answer. */
  stop(id: string): Promise<RealtimeMessage>;
  /** Resolves with the next `data` message for `id`. */
  nextData(id: string, timeoutMs?: number): Promise<RealtimeMessage>;
  /** Sends a raw text frame. */
  sendRaw(text: string): void;
  /** Resolves with the next message `match` accepts. */
  next(match: (m: RealtimeMessage) => boolean, what?: string): Promise<RealtimeMessage>;
  /** Every message received so far. */
  readonly messages: readonly RealtimeMessage[];
  close(): void;
}

function headerProtocol(authorization: string, url: string): string {
  return `header-${Buffer.from(JSON.stringify({ Authorization: authorization, host: new URL(url).host })).toString('base64url')}`;
}

/** Opens the socket and does the handshake; rejects with the `connection_error` payload. */
export function connectRealtime(url: string, caFile: string, authorization: string, options: { origin?: string } = {}): Promise<RealtimeClient> {
  const ws = new WebSocket(url, ['graphql-ws', headerProtocol(authorization, url)], { ca: readFileSync(caFile), origin: options.origin });
  const messages: RealtimeMessage[] = [];
  const waiters: { match: (m: RealtimeMessage) => boolean; resolve: (m: RealtimeMessage) => void }[] = [];
  const waitFor = (match: (m: RealtimeMessage) => boolean, timeoutMs = 10_000, what = 'message') =>
    new Promise<RealtimeMessage>((resolve, reject) => {
      const seen = messages.find(match);
      if (seen) {
        messages.splice(messages.indexOf(seen), 1);
        return resolve(seen);
      }
      const timer = setTimeout(() => reject(new Error(`no ${what} within ${timeoutMs} ms (got ${JSON.stringify(messages)})`)), timeoutMs);
      waiters.push({ match, resolve: (m) => (clearTimeout(timer), resolve(m)) });
    });
  ws.on('message', (raw) => {
    const m = JSON.parse(String(raw)) as RealtimeMessage;
    const w = waiters.find((x) => x.match(m));
    if (w) {
      waiters.splice(waiters.indexOf(w), 1);
      w.resolve(m);
    } else messages.push(m);
  });
  const client: RealtimeClient = {
    messages,
    start(id, query, auth, variables = {}) {
      const payload = { data: JSON.stringify({ query, variables }), extensions: { authorization: { Authorization: auth, host: new URL(url).host } } };
      ws.send(JSON.stringify({ id, type: 'start', payload }));
      return waitFor((m) => m.id === id && (m.type === 'start_ack' || m.type === 'error'), 10_000, `start_ack/error for ${id}`);
    },
    stop(id) {
      ws.send(JSON.stringify({ id, type: 'stop' }));
      return waitFor((m) => m.id === id && m.type === 'complete', 10_000, `complete for ${id}`);
    },
    sendRaw: (text) => ws.send(text),
    next: (match, what) => waitFor(match, 10_000, what),
    nextData: (id, timeoutMs) => waitFor((m) => m.id === id && m.type === 'data', timeoutMs, `data for ${id}`),
    close: () => ws.terminate(),
  };
  return new Promise((resolve, reject) => {
    ws.once('error', reject);
    ws.once('open', () => {
      ws.send(JSON.stringify({ type: 'connection_init' }));
      waitFor((m) => m.type === 'connection_ack' || m.type === 'connection_error', 10_000, 'connection_ack').then((m) => {
        if (m.type === 'connection_ack') resolve(client);
        else {
          ws.terminate();
          reject(Object.assign(new Error(`connection_error: ${JSON.stringify(m.payload)}`), { payload: m.payload }));
        }
      }, reject);
    });
  });
}
