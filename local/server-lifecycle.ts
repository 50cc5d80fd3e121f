import type { Server } from 'node:http';
import type { AddressInfo, Server as NetServer } from 'node:net';
import { UserFacingError } from '../config/errors';

/** A listen error in words that say what to do about it. */
export function listenError(err: NodeJS.ErrnoException, host: string, port: number): Error {
  return err.code === 'EADDRINUSE'
    ? new UserFacingError({ location: `port ${host}:${port}`, problem: 'is in use (another local mode running? pick another with --port / --*-port)' }, `port ${host}:${port} is in use (another local mode running? pick another with --port / --*-port)`)
    : err;
}

/** Listens on host:port (0 = a free port) and resolves with the port actually bound. */
export function listen(server: NetServer, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException) => reject(listenError(err, host, port));
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

/**
 * How long an idle keep-alive connection stays open. Node's default (5 s) races clients that
 * reuse a pooled connection just as the server closes it (undici's `fetch failed`, the AWS SDK's
 * ECONNRESET), most often on a loaded machine; AWS endpoints keep idle connections far longer.
 */
export const KEEP_ALIVE_MS = 65_000;

/** Applies `KEEP_ALIVE_MS` (headers may take a little longer, as Node requires). */
export function keepConnectionsAlive(server: Server): void {
  server.keepAliveTimeout = KEEP_ALIVE_MS;
  server.headersTimeout = KEEP_ALIVE_MS + 1_000;
}

/** Closes a server including idle keep-alive connections (SDK clients keep them open). */
export function closeServer(server: Server): Promise<void> {
  return new Promise((resolve, reject) => {
    server.close((err) => (err ? reject(err) : resolve()));
    server.closeAllConnections();
  });
}
