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

/** Closes a server including idle keep-alive connections (SDK clients keep them open). */
export function closeServer(server: Server): Promise<void> {
  return new Promise((resolve, reject) => {
    server.close((err) => (err ? reject(err) : resolve()));
    server.closeAllConnections();
  });
}
