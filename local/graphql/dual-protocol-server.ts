import * as http from 'node:http';
import * as https from 'node:https';
import * as net from 'node:net';
import { KEEP_ALIVE_MS, listen } from '../server-lifecycle';
import type { LocalTls } from './tls';

/**
 * One port, two protocols: aws-amplify derives the real-time URL from the GraphQL URL by
 * swapping `http://` for `wss://` and keeping the port, so plain HTTP (queries, the page) and
 * TLS (the subscription socket) must share it. The first byte of a connection tells them
 * apart: 0x16 opens a TLS handshake, anything else is HTTP.
 */

const TLS_HANDSHAKE = 0x16;

export interface DualProtocolServer {
  /** Both servers: attach `request` and `upgrade` handlers to each. */
  readonly servers: readonly [http.Server, https.Server];
  /** Resolves with the port bound; a busy port rejects with an error that says so (server-lifecycle.ts). */
  listen(port: number, host: string): Promise<number>;
  close(): Promise<void>;
}

export function createDualProtocolServer(tls: LocalTls): DualProtocolServer {
  const plain = http.createServer({ keepAliveTimeout: KEEP_ALIVE_MS });
  const secure = https.createServer({ cert: tls.cert, key: tls.key, keepAliveTimeout: KEEP_ALIVE_MS });
  const sockets = new Set<net.Socket>();
  const front = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.once('data', (first: Buffer) => {
      socket.pause();
      socket.unshift(first);
      (first[0] === TLS_HANDSHAKE ? secure : plain).emit('connection', socket);
      process.nextTick(() => socket.resume());
    });
    socket.on('error', () => socket.destroy());
  });
  return {
    servers: [plain, secure],
    listen: (port, host) => listen(front, port, host),
    close() {
      return new Promise((resolve) => {
        for (const s of sockets) s.destroy();
        plain.closeAllConnections();
        secure.closeAllConnections();
        front.close(() => resolve());
      });
    },
  };
}
