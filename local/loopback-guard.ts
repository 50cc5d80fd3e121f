import type { IncomingHttpHeaders, IncomingMessage, Server, ServerResponse } from 'node:http';

/**
 * Keeps web pages away from the local mode's ports. Binding to 127.0.0.1 stops other machines,
 * not the browser on this one: any page can send requests to loopback, and a page on a name
 * that rebinds to 127.0.0.1 (DNS rebinding) even reads the answers as same-origin. So every
 * request and WebSocket upgrade is checked before anything else runs:
 * - `Host` must name loopback with this port (`127.0.0.1:<port>`, `localhost:<port>`,
 *   `[::1]:<port>`): a rebound name is refused;
 * - an `Origin`, when present, must be one this service admits (the endpoint's own page, the
 *   app origins of the config); requests without one (curl, SDKs, Node) are not from a page.
 * Both are one Set lookup each: nothing here slows the hot path.
 */

const LOOPBACK_NAMES = ['127.0.0.1', 'localhost', '[::1]'] as const;

/** The origins a page served on this port has (http, and https: the GraphQL port speaks both). */
export function loopbackOrigins(port: number): string[] {
  return LOOPBACK_NAMES.flatMap((name) => [`http://${name}:${port}`, `https://${name}:${port}`]);
}

/**
 * The browser origins of redirect URLs that point at this machine (`http://localhost:3000/callback`
 * gives `http://localhost:3000`): the app a developer runs locally against the local mode.
 * Deployed (https, public) URLs give nothing: those apps talk to AWS, not to loopback.
 */
export function loopbackAppOrigins(urls: readonly string[]): string[] {
  const origins = urls.flatMap((u) => {
    try {
      const url = new URL(u);
      const loopback = url.hostname === 'localhost' || url.hostname === '127.0.0.1' || url.hostname === '[::1]';
      return url.protocol === 'http:' && loopback ? [url.origin] : [];
    } catch {
      return [];
    }
  });
  return [...new Set(origins)];
}

export class LoopbackGuard {
  private readonly hosts = new Set<string>();
  private readonly origins: Set<string>;

  /**
   * @param service what the messages call this port (e.g. `GraphQL endpoint`)
   * @param origins browser origins admitted (more can be added with `allowOrigins`)
   * @param howToAllow appended to a refused origin's message: how to admit it, or why it never is
   */
  constructor(
    private readonly service: string,
    origins: Iterable<string>,
    private readonly howToAllow: string,
  ) {
    this.origins = new Set(origins);
  }

  /** Sets the port the Host must carry (called once the server listens). */
  listeningOn(port: number): void {
    this.hosts.clear();
    for (const name of LOOPBACK_NAMES) {
      this.hosts.add(`${name}:${port}`);
      if (port === 80) this.hosts.add(name);
    }
  }

  allowOrigins(origins: Iterable<string>): void {
    for (const o of origins) this.origins.add(o);
  }

  /** Why the request is refused, or undefined when it may go on. */
  refusal(headers: IncomingHttpHeaders): string | undefined {
    const { host, origin } = headers;
    if (host === undefined || !this.hosts.has(host)) {
      return `Host ${JSON.stringify(host ?? '')} is not the local ${this.service} (expected one of ${[...this.hosts].join(', ')}): refused, as a page on another name that resolves to 127.0.0.1 (DNS rebinding) would be.`;
    }
    if (origin !== undefined && !this.origins.has(origin)) {
      return `Origin ${origin} may not call the local ${this.service}. ${this.howToAllow}`;
    }
    return undefined;
  }

  /** Whether the request carries an admitted Origin (then CORS headers may name it). */
  admits(origin: string | undefined): origin is string {
    return origin !== undefined && this.origins.has(origin);
  }
}

/** How to admit an origin on the GraphQL endpoint and the user pool. */
export const HOW_TO_ALLOW_ORIGIN =
  'Add it to local.allowedOrigins in config/project.ts (or make it an http://localhost callback or logout URL of the web client) and restart.';

/**
 * Puts `guard` in front of a server's existing request handlers (a library's server, e.g.
 * dynalite's or cognito-local's): a refused request gets 403 with `refuse`'s body and never
 * reaches them.
 */
export function guardRequests(server: Server, guard: LoopbackGuard, refuse: (res: ServerResponse, message: string) => void): void {
  const handlers = server.listeners('request') as ((req: IncomingMessage, res: ServerResponse) => void)[];
  server.removeAllListeners('request');
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    const why = guard.refusal(req.headers);
    if (why !== undefined) return refuse(res, why);
    for (const handler of handlers) handler.call(server, req, res);
  });
}

/** A 403 with a JSON body, closing the connection. */
export function sendForbidden(res: ServerResponse, body: object, type = 'application/json'): void {
  const text = JSON.stringify(body);
  res.writeHead(403, { 'content-type': type, 'content-length': Buffer.byteLength(text), connection: 'close' });
  res.end(text);
}
