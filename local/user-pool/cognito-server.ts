import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import {
  CognitoServiceFactoryImpl,
  ConsoleMessageSender,
  createServer,
  DefaultConfig,
  JwtTokenGenerator,
  LambdaService,
  MessageDeliveryService,
  MessagesService,
  otp,
  StormDBDataStoreFactory,
  TriggersService,
  UserPoolServiceFactoryImpl,
  type Config,
  type CryptoService,
  type Router,
  type Services,
} from './cognito-local-adapter';
import { guardRequests, HOW_TO_ALLOW_ORIGIN, LoopbackGuard, sendForbidden } from '../loopback-guard';
import { closeServer, keepConnectionsAlive, listenError } from '../server-lifecycle';
import { type OwnedTargets, withOwnedTargets } from './cognito-local-store';
import { lazyRouter } from './lazy-router';

export interface CognitoServerOptions {
  /** Directory with the pool and client files (seeded before start). */
  readonly dataDir: string;
  /** @default '127.0.0.1' */
  readonly host?: string;
  /** 0 picks a free port. */
  readonly port: number;
  /** `iss` = `<issuerDomain>/<poolId>`; the AWS form is `https://cognito-idp.<region>.amazonaws.com`. */
  readonly issuerDomain: string;
  /** Browser origins admitted (more with `allowOrigins`). @default [] (no web page) */
  readonly allowedOrigins?: readonly string[];
  /** The clock of every record and token. */
  readonly now: () => Date;
  /** Targets answered before cognito-local's router (the sign-in protocol), built from its services. */
  readonly ownedTargets: (services: Services) => OwnedTargets;
}

export interface CognitoServer {
  /** `http://127.0.0.1:<port>` */
  readonly endpoint: string;
  readonly port: number;
  /** The same router the HTTP server dispatches to, for in-process seeding. */
  readonly router: Router;
  /** Admits more browser origins (the GraphQL endpoint's page, once its port is known). */
  allowOrigins(origins: Iterable<string>): void;
  readonly services: Services;
  close(): Promise<void>;
}

/**
 * cognito-local's own server, composed in this process (what its `createDefaultServer` does,
 * but with our data directory, issuer and host, and our targets answered first).
 * In-process means no child process to leak. No triggers are configured, so the Lambda
 * client and KMS crypto service (which would load the AWS SDK v2) are never used.
 */
export async function startCognitoServer(options: CognitoServerOptions): Promise<CognitoServer> {
  const host = options.host ?? '127.0.0.1';
  // cognito-local logs every refused sign-in as a warning: silent.
  const logger = pino({ level: 'silent' });
  const ctx = { logger };
  const config: Config = {
    ...DefaultConfig,
    TokenConfig: { IssuerDomain: options.issuerDomain },
    UserPoolDefaults: { UsernameAttributes: [] },
    ServerConfig: { port: options.port, hostname: host, development: false, https: false },
  };
  const clock = { get: options.now };
  const dataStoreFactory = new StormDBDataStoreFactory(options.dataDir);
  const cognito = await new CognitoServiceFactoryImpl(
    options.dataDir,
    dataStoreFactory,
    new UserPoolServiceFactoryImpl(clock, dataStoreFactory)
  ).create(ctx, config.UserPoolDefaults);
  const noLambda = new LambdaService({}, {} as ConstructorParameters<typeof LambdaService>[1]);
  const triggers = new TriggersService(clock, cognito, noLambda, {} as CryptoService);
  const services: Services = {
    clock,
    cognito,
    config,
    messages: new MessagesService(triggers, new MessageDeliveryService(new ConsoleMessageSender())),
    otp,
    tokenGenerator: new JwtTokenGenerator(clock, triggers, config.TokenConfig),
    triggers,
  };
  const router = withOwnedTargets(lazyRouter(services), options.ownedTargets(services));
  const server = (await createServer(router, logger, config.ServerConfig, services)
    .start()
    .catch((e: NodeJS.ErrnoException) => Promise.reject(listenError(e, host, options.port)))) as Server;
  keepConnectionsAlive(server);
  const port = (server.address() as AddressInfo).port;
  const guard = new LoopbackGuard('user pool', options.allowedOrigins ?? [], HOW_TO_ALLOW_ORIGIN);
  guard.listeningOn(port);
  guardRequests(server, guard, (res, message) => sendForbidden(res, { __type: 'ForbiddenException', message }, 'application/x-amz-json-1.1'));
  // Only admitted origins get this far: cognito-local's CORS answers them with `*`, named here
  // as the one origin instead (what a browser needs, and nothing for any other page).
  server.prependListener('request', (req: IncomingMessage, res: ServerResponse) => {
    const origin = req.headers.origin;
    if (!guard.admits(origin)) return;
    const setHeader = res.setHeader;
    res.setHeader = function (name: string, value: number | string | readonly string[]) {
      return setHeader.call(this, name, name.toLowerCase() === 'access-control-allow-origin' ? origin : value);
    };
    res.setHeader('vary', 'Origin');
  });
  return {
    endpoint: `http://${host}:${port}`,
    port,
    router,
    allowOrigins: (origins) => guard.allowOrigins(origins),
    services,
    close: () => closeServer(server),
  };
}
