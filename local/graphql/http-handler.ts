import type { IncomingMessage, ServerResponse } from 'node:http';
import { RequestUnauthorizedError, refusalBody } from './errors';
import type { AuthModel } from '../../access/auth-model';
import type { Executor, GraphqlRequest, RequestCaller } from './executor';
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
const MAX_BODY_BYTES = 1024 * 1024;

export interface HttpHandlerOptions {
  readonly verifier: TokenVerifier;
  readonly executor: Executor;
  readonly hub: SubscriptionHub;
  /** Page files by URL path. */
  readonly files: ReadonlyMap<string, StaticFile>;
  /** Extra JSON documents served by GET (page config, access matrix), by URL path. */
  readonly json: ReadonlyMap<string, () => unknown>;
  /** SigV4 callers (local/graphql/iam-callers.ts). @default refused like any non-JWT header */
  readonly iam?: { readonly support: IamCallerSupport; readonly authModel: AuthModel };
}

const CORS = {
  'access-control-allow-origin': '*',
  'access-control-allow-headers': 'authorization, content-type, x-amz-user-agent, x-amz-date, x-api-key, x-amz-security-token, x-amz-content-sha256',
  'access-control-allow-methods': 'POST, GET, OPTIONS',
};

function send(res: ServerResponse, status: number, body: string | Buffer, type = 'application/json'): void {
  res.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(body), ...CORS });
  res.end(body);
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY_BYTES) {
        reject(new Error(`request body over ${MAX_BODY_BYTES} bytes`));
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function badRequest(res: ServerResponse, message: string): void {
  send(res, 400, JSON.stringify({ errors: [{ errorType: 'MalformedHttpRequestException', message }] }));
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
  /** A SigV4-signed request: its signature (over the body) is checked before anything runs. */
  async function iamCaller(req: IncomingMessage, res: ServerResponse, body: Buffer): Promise<RequestCaller | undefined> {
    try {
      return await iamCallerOf(options.iam!.support, options.iam!.authModel, req, body, plainIp(req.socket.remoteAddress), headersOf(req));
    } catch (error) {
      if (!(error instanceof IamRefusal)) throw error;
      send(res, error.status, JSON.stringify({ errors: [{ errorType: error.errorType, message: error.message }] }));
      return undefined;
    }
  }

  async function graphql(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let who: RequestCaller | undefined;
    let body: Buffer;
    if (options.iam && req.headers.authorization?.startsWith('AWS4-')) {
      body = await readBody(req);
      who = await iamCaller(req, res, body);
      if (!who) return;
    } else {
      let token;
      try {
        token = await options.verifier.verify(req.headers.authorization);
      } catch (error) {
        if (!(error instanceof RequestUnauthorizedError)) throw error;
        send(res, 401, refusalBody(error));
        return;
      }
      body = await readBody(req);
      who = requestCallerOf(token, plainIp(req.socket.remoteAddress), headersOf(req));
    }
    const request = parseRequest(body.toString('utf8'));
    if (typeof request === 'string') return badRequest(res, request);
    const outcome = await options.executor.run(request, who);
    send(res, 200, JSON.stringify(outcome.body));
    if (outcome.operation?.operation === 'mutation' && outcome.document) {
      // The caller has its answer; a failed delivery is the subscriber's problem, logged here.
      options.hub
        .publish({ document: outcome.document, operation: outcome.operation, data: outcome.body.data })
        .catch((e: unknown) => console.error(`local/graphql: subscription delivery failed: ${e instanceof Error ? e.message : String(e)}`));
    }
  }

  return (req, res) => {
    const fail = (error: unknown) => {
      if (!res.headersSent) send(res, 500, JSON.stringify({ errors: [{ errorType: 'InternalFailure', message: String(error) }] }));
      else res.destroy();
    };
    // Nearly every request: matched without parsing a URL (the general match below agrees).
    if (req.method === 'POST' && req.url === GRAPHQL_PATH) return void graphql(req, res).catch(fail);
    const url = new URL(req.url ?? '/', 'http://local');
    const route = `${req.method} ${url.pathname}`;
    if (route === `POST ${GRAPHQL_PATH}`) return void graphql(req, res).catch(fail);
    if (req.method === 'OPTIONS') return send(res, 204, '');
    const json = req.method === 'GET' ? options.json.get(url.pathname) : undefined;
    if (json) return send(res, 200, JSON.stringify(json()));
    const file = req.method === 'GET' ? options.files.get(url.pathname) : undefined;
    if (file) return send(res, 200, file.body, file.type);
    send(res, 404, JSON.stringify({ errors: [{ errorType: 'NotFound', message: `No route ${route}. The API is POST ${GRAPHQL_PATH}.` }] }));
  };
}
