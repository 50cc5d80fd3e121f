import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { getArgumentValues, GraphQLError, Kind, OperationDefinitionNode } from 'graphql';
import { WebSocket, WebSocketServer } from 'ws';
import type { AuthModel } from '../../access/auth-model';
import type { DocumentCache } from './document-cache';
import { AppSyncErrorJson, RequestUnauthorizedError, toAppSyncError, unauthorizedField } from './errors';
import { fieldContextOf, RequestCaller, ResolverRuntime } from './request-executor';
import type { ResolverCode } from '../appsync-js/types';
import { plainIp, requestCallerOf } from './identity';
import { fragmentsOf, type SubscriptionHub } from './subscriptions';
import type { TokenVerifier } from './token-verifier';

/**
 * AppSync's real-time protocol (subprotocol `graphql-ws`, AppSync's own message types):
 * connect-time auth in a `header-<base64url>` subprotocol (aws-amplify v6) or a `?header=`
 * query parameter (older clients), then connection_init -> connection_ack, keep-alive `ka`,
 * start (query + per-subscription auth in extensions.authorization) -> start_ack | error,
 * data, stop -> complete. Auth is checked at connect and at each start.
 */

export const REALTIME_PATH = '/graphql/realtime';
const CONNECTION_TIMEOUT_MS = 300_000;

export interface RealtimeOptions {
  readonly verifier: TokenVerifier;
  readonly documents: DocumentCache;
  readonly authModel: AuthModel;
  readonly hub: SubscriptionHub;
  /** Subscription fields' resolvers by `Subscription.field`: AppSync runs one when a client subscribes. */
  readonly resolvers: ReadonlyMap<string, ResolverCode>;
  readonly runtime: ResolverRuntime;
}

/**
 * AppSync's real-time quotas (docs.aws.amazon.com/general/latest/gr/appsync.html): 240 KB per
 * message and 100 subscriptions per connection. A larger message or the 101st `start` gets an
 * `error` message; the connection stays open.
 */
export const MAX_MESSAGE_BYTES = 240 * 1024;
export const MAX_SUBSCRIPTIONS_PER_CONNECTION = 100;
/** Frames past this are not even buffered: ws closes the socket with 1009 (message too big). */
const HARD_FRAME_LIMIT = 4 * MAX_MESSAGE_BYTES;

/** Interval of `ka` messages, as AppSync sends them. */
const KEEP_ALIVE_MS = 60_000;

function decodeBase64Json(text: string): Record<string, unknown> | undefined {
  try {
    const parsed = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
    return parsed && typeof parsed === 'object' ? parsed : undefined;
  } catch {
    return undefined;
  }
}

/** The connect-time auth header object from the subprotocols or the `header` query parameter. */
function connectHeader(req: IncomingMessage): Record<string, unknown> | undefined {
  const protocols = String(req.headers['sec-websocket-protocol'] ?? '').split(',').map((p) => p.trim());
  const fromProtocol = protocols.find((p) => p.startsWith('header-'));
  if (fromProtocol) return decodeBase64Json(fromProtocol.slice('header-'.length));
  const fromQuery = new URL(req.url ?? '/', 'http://local').searchParams.get('header');
  return fromQuery ? decodeBase64Json(fromQuery) : undefined;
}

function authorizationOf(header: Record<string, unknown> | undefined): string | undefined {
  const value = header?.Authorization ?? header?.authorization;
  return typeof value === 'string' ? value : undefined;
}

function unauthorizedPayload(error: RequestUnauthorizedError): { errors: object[] } {
  return { errors: [{ errorType: error.errorType, message: error.message, errorCode: 401 }] };
}

interface StartMessage {
  id: string;
  payload?: { data?: string; extensions?: { authorization?: Record<string, unknown> } };
}

class Connection {
  private readonly stops = new Map<string, () => void>();
  private keepAlive?: NodeJS.Timeout;

  constructor(
    private readonly socket: WebSocket,
    private readonly options: RealtimeOptions,
    private readonly connectCaller: Promise<RequestCaller>,
    private readonly ip: string,
  ) {
    // Fire-and-forget per message: a failure is answered on the socket by the catch.
    socket.on('message', (raw: Buffer) => {
      void this.onMessage(raw).catch((e: unknown) =>
        this.send({ type: 'error', payload: { errors: [{ errorType: 'InternalFailure', message: e instanceof Error ? e.message : String(e) }] } }),
      );
    });
    socket.on('error', () => socket.terminate());
    socket.on('close', () => this.dispose());
  }

  private send(message: object): void {
    if (this.socket.readyState === WebSocket.OPEN) this.socket.send(JSON.stringify(message));
  }

  private async onMessage(raw: Buffer): Promise<void> {
    if (raw.length > MAX_MESSAGE_BYTES) {
      const message = `Message of ${raw.length} bytes is over the ${MAX_MESSAGE_BYTES}-byte (240 KB) limit of a real-time message.`;
      this.send({ type: 'error', payload: { errors: [{ errorType: 'LimitExceededError', message }] } });
      return;
    }
    let message: { type?: string; id?: string };
    try {
      message = JSON.parse(raw.toString('utf8'));
    } catch {
      this.send({ type: 'error', payload: { errors: [{ errorType: 'MalformedMessage', message: 'Message is not JSON.' }] } });
      return;
    }
    switch (message.type) {
      case 'connection_init':
        return this.init();
      case 'start':
        return this.start(message as StartMessage);
      case 'stop':
        this.stops.get(String(message.id))?.();
        this.stops.delete(String(message.id));
        this.send({ type: 'complete', id: message.id });
        return;
      default:
        this.send({
          type: 'error',
          id: message.id,
          payload: { errors: [{ errorType: 'UnsupportedOperation', message: `Unknown message type '${message.type}'.` }] },
        });
    }
  }

  private async init(): Promise<void> {
    try {
      await this.connectCaller;
    } catch (error) {
      const refusal = error instanceof RequestUnauthorizedError ? error : new RequestUnauthorizedError(String(error));
      this.send({ type: 'connection_error', payload: unauthorizedPayload(refusal) });
      this.socket.close(1000, 'Unauthorized');
      return;
    }
    this.send({ type: 'connection_ack', payload: { connectionTimeoutMs: CONNECTION_TIMEOUT_MS } });
    this.keepAlive = setInterval(() => this.send({ type: 'ka' }), KEEP_ALIVE_MS);
    this.keepAlive.unref();
  }

  private fail(id: string, errors: readonly (AppSyncErrorJson | object)[]): void {
    this.send({ type: 'error', id, payload: { errors } });
  }

  private atSubscriptionLimit(id: string): boolean {
    return !this.stops.has(id) && this.stops.size >= MAX_SUBSCRIPTIONS_PER_CONNECTION;
  }

  private refuseOverLimit(id: string): void {
    this.fail(id, [
      {
        errorType: 'MaxSubscriptionsReachedError',
        message: `This connection has ${this.stops.size} subscriptions, the limit per connection (${MAX_SUBSCRIPTIONS_PER_CONNECTION}); stop one or open another connection.`,
      },
    ]);
  }

  private async callerFor(msg: StartMessage): Promise<RequestCaller> {
    const auth = msg.payload?.extensions?.authorization;
    const header = authorizationOf(auth);
    if (header === undefined) return this.connectCaller;
    const token = await this.options.verifier.verify(header);
    return requestCallerOf(token, this.ip, {});
  }

  private async start(msg: StartMessage): Promise<void> {
    const id = String(msg.id);
    if (this.atSubscriptionLimit(id)) return this.refuseOverLimit(id);
    let who: RequestCaller;
    try {
      who = await this.callerFor(msg);
    } catch (error) {
      if (error instanceof RequestUnauthorizedError) return this.fail(id, unauthorizedPayload(error).errors);
      throw error;
    }
    let request: { query?: string; variables?: Record<string, unknown> };
    try {
      request = JSON.parse(msg.payload?.data ?? '');
    } catch {
      return this.fail(id, [{ errorType: 'MalformedHttpRequestException', message: 'start payload.data is not a JSON {query, variables} string.' }]);
    }
    const prepared = this.options.documents.prepare(String(request.query ?? ''));
    if (!prepared.ok) return this.fail(id, prepared.errors.map(toAppSyncError));
    const operation = prepared.document.definitions.find(
      (d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION,
    );
    const fieldNode = operation?.selectionSet.selections[0];
    if (operation?.operation !== 'subscription' || fieldNode?.kind !== Kind.FIELD) {
      return this.fail(id, [toAppSyncError(new GraphQLError('The real-time endpoint only serves subscription operations.'))]);
    }
    const subscriptionType = this.options.authModel.schema.getSubscriptionType()!;
    const fieldName = fieldNode.name.value;
    if (!this.options.authModel.decide(subscriptionType.name, fieldName, who.caller).allowed) {
      const denied = unauthorizedField(subscriptionType.name, fieldName);
      return this.fail(id, [{ errorType: denied.fieldError.errorType, message: denied.message }]);
    }
    const variables = request.variables ?? {};
    let args: Record<string, unknown>;
    try {
      args = getArgumentValues(subscriptionType.getFields()[fieldName], fieldNode, variables);
    } catch (error) {
      return this.fail(id, [toAppSyncError(error as GraphQLError)]);
    }
    const resolver = this.options.resolvers.get(`${subscriptionType.name}.${fieldName}`);
    if (resolver) {
      // AppSync runs the subscription's resolver once, at subscribe time; an error refuses the start.
      const fragments = fragmentsOf(prepared.document);
      const ctx = fieldContextOf(who, subscriptionType.name, fieldName, { args, source: null, variables, fieldNodes: [fieldNode], fragments });
      const outcome = await this.options.runtime.resolveField(resolver, ctx);
      if (outcome.errors.length) return this.fail(id, outcome.errors);
    }
    // Checked again: other starts of this connection may have finished while this one waited.
    if (this.atSubscriptionLimit(id)) return this.refuseOverLimit(id);
    this.stops.get(id)?.();
    this.stops.set(
      id,
      this.options.hub.add({
        document: prepared.document,
        operation,
        fieldName,
        args,
        variables,
        deliver: (payload) => this.send({ type: 'data', id, payload }),
      }),
    );
    this.send({ type: 'start_ack', id });
  }

  private dispose(): void {
    if (this.keepAlive) clearInterval(this.keepAlive);
    for (const stop of this.stops.values()) stop();
    this.stops.clear();
  }
}

export interface RealtimeServer {
  /** Handles an HTTP upgrade; returns false when the path is not the real-time endpoint. */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): boolean;
  close(): void;
}

export function createRealtimeServer(options: RealtimeOptions): RealtimeServer {
  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: HARD_FRAME_LIMIT,
    // AppSync answers with `graphql-ws`; the `header-...` protocol only carries auth.
    handleProtocols: (protocols) => (protocols.has('graphql-ws') ? 'graphql-ws' : false),
  });
  return {
    handleUpgrade(req, socket, head) {
      if (new URL(req.url ?? '/', 'http://local').pathname !== REALTIME_PATH) return false;
      const ip = plainIp(req.socket.remoteAddress);
      const connectCaller = options.verifier
        .verify(authorizationOf(connectHeader(req)))
        .then((token) => requestCallerOf(token, ip, {}));
      connectCaller.catch(() => undefined); // reported at connection_init
      wss.handleUpgrade(req, socket, head, (ws) => new Connection(ws, options, connectCaller, ip));
      return true;
    },
    close() {
      for (const client of wss.clients) client.terminate();
      wss.close();
    },
  };
}
