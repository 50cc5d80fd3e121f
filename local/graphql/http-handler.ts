import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import { type LoopbackGuard, sendForbidden } from '../loopback-guard';
import { readBody, type BodyLimit } from '../http-body';
import { RequestUnauthorizedError, refusalBody } from './errors';
import type { AuthModel } from '../../access/auth-model';
import type { Executor, GraphqlRequest, RequestCaller } from './request-executor';
import { iamCallerOf, IamRefusal, type IamCallerSupport } from './iam-callers';
import { plainIp, requestCallerOf } from './identity';
import type { StaticFile } from './static-files';
import type { SubscriptionHub } from './subscriptions';
import type { TokenVerifier } from './token-verifier';

/**
 * HTTP side of the endpoint: POST /graphql like AppSync (raw JWT in `Authorization`, 401 with
 * `UnauthorizedException` before anything runs), the browser page and its JSON files.
 */

export const GRAPHQL_PATH = '/graphql';

/** A request the endpoint refuses before it runs, answered in AppSync's `errors` shape. */
class RequestRefusal extends Error {
  constructor(readonly status: number, readonly errorType: string, message: string) {
    super(message);
  }
}

/** A query and its variables: 1 MiB bounds what one request makes the endpoint buffer. */
const BODY_LIMIT: BodyLimit = {
  maxBytes: 1024 * 1024,
  tooLarge: (max) => new RequestRefusal(413, 'MalformedHttpRequestException', `The request body is over ${max} bytes.`),
};

export interface HttpHandlerOptions {
  readonly verifier: TokenVerifier;
  readonly executor: Executor;
  readonly hub: SubscriptionHub;
  /** Page files by URL path. */
  readonly files: ReadonlyMap<string, StaticFile>;
  /** Extra JSON documents served by GET (page config, access matrix), by URL path. */
  readonly json: ReadonlyMap<string, () => unknown>;
  /** Checks Host and Origin of every request first (loopback-guard.ts). */
  readonly guard: LoopbackGuard;
  /** The page's own origins (filled once the port is known): only they may read the JSON documents. */
  readonly pageOrigins: ReadonlySet<string>;
  /** SigV4 callers (local/graphql/iam-callers.ts). @default refused like any non-JWT header */
  readonly iam?: { readonly support: IamCallerSupport; readonly authModel: AuthModel };
}

/** CORS for an admitted origin: named, never `*` (the guard has refused every other origin). */
function corsFor(origin: string): OutgoingHttpHeaders {
  return {
    'access-control-allow-origin': origin,
    'access-control-allow-headers': 'authorization, content-type, x-amz-user-agent, x-amz-date, x-api-key, x-amz-security-token, x-amz-content-sha256',
    'access-control-allow-methods': 'POST, GET, OPTIONS',
    vary: 'Origin',
  };
}

/**
 * The page and its JSON documents (one holds the demo password) are for this origin only: no
 * CORS, not embeddable by other sites (CORP), not cached.
 */
const SAME_ORIGIN_ONLY: OutgoingHttpHeaders = { 'cross-origin-resource-policy': 'same-origin', 'cache-control': 'no-store' };

function send(res: ServerResponse, status: number, body: string | Buffer, type = 'application/json', extra?: OutgoingHttpHeaders): void {
  res.writeHead(status, extra ? { 'content-type': type, 'content-length': Buffer.byteLength(body), ...extra } : { 'content-type': type, 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

function badRequest(res: ServerResponse, message: string, cors?: OutgoingHttpHeaders): void {
  send(res, 400, JSON.stringify({ errors: [{ errorType: 'MalformedHttpRequestException', message }] }), undefined, cors);
}

function parseRequest(text: string): GraphqlRequest | string {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return 'The request body is not JSON.';
  }
  const b = body as Partial<GraphqlRequest> | null;
  if (!b || typeof b.query !== 'string') return 'The request body must be a JSON object with a string "query".';
  if (b.variables !== undefined && b.variables !== null && typeof b.variables !== 'object') {
    return '"variables" must be a JSON object.';
  }
  return { query: b.query, variables: b.variables ?? null, operationName: b.operationName ?? null };
}

function headersOf(req: IncomingMessage): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string') out[k] = v;
  return out;
}

export function createHttpHandler(options: HttpHandlerOptions): (req: IncomingMessage, res: ServerResponse) => void {
  const { guard, pageOrigins } = options;

  /** A page of another origin, or a browser saying the request is not same-origin. */
  function crossOrigin(req: IncomingMessage): boolean {
    const { origin } = req.headers;
    const site = req.headers['sec-fetch-site'];
    return (origin !== undefined && !pageOrigins.has(origin)) || (site !== undefined && site !== 'same-origin' && site !== 'none');
  }

  /** A SigV4-signed request: its signature (over the body) is checked before anything runs. */
  async function iamCaller(req: IncomingMessage, res: ServerResponse, body: Buffer, cors: OutgoingHttpHeaders | undefined): Promise<RequestCaller | undefined> {
    try {
      return await iamCallerOf(options.iam!.support, options.iam!.authModel, req, body, plainIp(req.socket.remoteAddress), headersOf(req));
    } catch (error) {
      if (!(error instanceof IamRefusal)) throw error;
      send(res, error.status, JSON.stringify({ errors: [{ errorType: error.errorType, message: error.message }] }), undefined, cors);
      return undefined;
    }
  }

  async function graphql(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const cors = req.headers.origin === undefined ? undefined : corsFor(req.headers.origin);
    let who: RequestCaller | undefined;
    let body: Buffer;
    if (options.iam && req.headers.authorization?.startsWith('AWS4-')) {
      body = await readBody(req, BODY_LIMIT);
      who = await iamCaller(req, res, body, cors);
      if (!who) return;
    } else {
      let token;
      try {
        token = await options.verifier.verify(req.headers.authorization);
      } catch (error) {
        if (!(error instanceof RequestUnauthorizedError)) throw error;
        send(res, 401, refusalBody(error), undefined, cors);
        return;
      }
      body = await readBody(req, BODY_LIMIT);
      who = requestCallerOf(token, plainIp(req.socket.remoteAddress), headersOf(req));
    }
    const request = parseRequest(body.toString('utf8'));
    if (typeof request === 'string') return badRequest(res, request, cors);
    const outcome = await options.executor.run(request, who);
    send(res, 200, JSON.stringify(outcome.body), undefined, cors);
    if (outcome.operation?.operation === 'mutation' && outcome.document) {
      // The caller has its answer; a failed delivery is the subscriber's problem, logged here.
      options.hub
        .publish({ document: outcome.document, operation: outcome.operation, data: outcome.body.data })
        .catch((e: unknown) => console.error(`local/graphql: subscription delivery failed: ${e instanceof Error ? e.message : String(e)}`));
    }
  }

  return (req, res) => {
    const fail = (error: unknown) => {
      if (res.headersSent) {
        res.destroy();
        return;
      }
      const cors = req.headers.origin === undefined ? undefined : corsFor(req.headers.origin);
      const [status, errorType, message] =
        error instanceof RequestRefusal ? [error.status, error.errorType, error.message] : [500, 'InternalFailure', String(error)];
      send(res, status, JSON.stringify({ errors: [{ errorType, message }] }), undefined, cors);
    };
    // Before anything else: a foreign Host (DNS rebinding) or Origin (another web page).
    const refused = guard.refusal(req.headers);
    if (refused !== undefined) return sendForbidden(res, { errors: [{ errorType: 'ForbiddenOriginException', message: refused }] });
    // Nearly every request: matched without parsing a URL (the general match below agrees).
    if (req.method === 'POST' && req.url === GRAPHQL_PATH) return void graphql(req, res).catch(fail);
    const url = new URL(req.url ?? '/', 'http://local');
    const route = `${req.method} ${url.pathname}`;
    if (route === `POST ${GRAPHQL_PATH}`) return void graphql(req, res).catch(fail);
    // A preflight: only an admitted origin got here; it may POST /graphql.
    if (req.method === 'OPTIONS') return send(res, 204, '', undefined, req.headers.origin === undefined ? undefined : corsFor(req.headers.origin));
    const json = req.method === 'GET' ? options.json.get(url.pathname) : undefined;
    if (json) {
      if (crossOrigin(req)) {
        const message = `${url.pathname} is for the local page only (same origin); it is not served to ${req.headers.origin ?? `a ${req.headers['sec-fetch-site']} request`}.`;
        return sendForbidden(res, { errors: [{ errorType: 'ForbiddenOriginException', message }] });
      }
      return send(res, 200, JSON.stringify(json()), undefined, SAME_ORIGIN_ONLY);
    }
    const file = req.method === 'GET' ? options.files.get(url.pathname) : undefined;
    if (file) return send(res, 200, file.body, file.type, SAME_ORIGIN_ONLY);
    send(res, 404, JSON.stringify({ errors: [{ errorType: 'NotFound', message: `No route ${route}. The API is POST ${GRAPHQL_PATH}.` }] }));
  };
}
