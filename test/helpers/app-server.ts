import * as path from 'node:path';
import { build } from 'esbuild';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** What the app's dev server serves, read at each request (the bundle and outputs arrive after it listens). */
export interface AppFiles {
  /** The app's bundle, served at /app.js. */
  bundle(): string;
  /** The local outputs, served as /amplify_outputs.json (what an Amplify app loads). */
  outputs(): unknown;
  /** The app's one page, served at every other path. */
  readonly page: string;
}

export interface AppServer {
  /** `http://localhost:<port>`: the origin the stack must admit (callback URLs, allowed origins). */
  readonly origin: string;
  close(): Promise<void>;
}

/** A browser app's dev server on a free loopback port, as a developer runs one beside local mode. */
export async function startAppServer(files: AppFiles): Promise<AppServer> {
  const server: Server = createServer((req, res) => {
    const p = new URL(req.url ?? '/', 'http://localhost').pathname;
    const [type, body] =
      p === '/app.js' ? ['text/javascript', files.bundle()] : p === '/amplify_outputs.json' ? ['application/json', JSON.stringify(files.outputs())] : ['text/html', files.page];
    res.writeHead(200, { 'content-type': type }).end(body);
  });
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(0, '127.0.0.1', resolve));
  return {
    origin: `http://localhost:${(server.address() as AddressInfo).port}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/**
 * An app of test/helpers (e.g. `amplify-storage-app.js`, which imports aws-amplify unmodified)
 * bundled for the browser, as the app's own build would. The caller stops esbuild's service
 * (`stop()` from esbuild) once nothing else in the file uses it: it would keep jest alive.
 */
export async function bundleBrowserApp(entry: string): Promise<string> {
  const result = await build({
    entryPoints: [path.join(__dirname, entry)],
    bundle: true,
    write: false,
    platform: 'browser',
    format: 'iife',
    target: 'es2020',
    define: { 'process.env.NODE_ENV': '"production"' },
    logLevel: 'silent',
  });
  return result.outputFiles[0].text;
}
