import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import { repoPath } from '../../config/paths';
import type { FromIdpThread, IdpThreadOptions, IdpThreadReady } from './idp-protocol';

export interface IdpThread extends Omit<IdpThreadReady, 'type'> {
  close(): Promise<void>;
}

/** The compiled thread script: this module's sibling in dist/, or the build's copy under jest. */
function threadScript(): string {
  const script = __filename.endsWith('.ts') ? repoPath('dist/local/federation/idp-thread.js') : path.join(__dirname, 'idp-thread.js');
  if (!existsSync(script)) throw new Error(`the identity-provider thread ${script} is missing: run \`npm run build\` first`);
  return script;
}

/** Starts the local IdPs in their thread; resolves once every one listens. */
export function startIdpThread(options: IdpThreadOptions): Promise<IdpThread> {
  const worker = new Worker(threadScript(), { workerData: options });
  return new Promise<IdpThread>((resolve, reject) => {
    let closed: (() => void) | undefined;
    const exited = new Promise<void>((r) => worker.once('exit', () => r()));
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`the identity-provider thread stopped (exit code ${code}) before it was ready`)));
    worker.on('message', (m: FromIdpThread) => {
      if (m.type === 'error') {
        reject(new Error(`local identity providers failed to start: ${m.message}`));
        void worker.terminate();
      } else if (m.type === 'closed') {
        closed?.();
      } else if (m.type === 'ready') {
        let closing: Promise<void> | undefined;
        resolve({
          google: m.google,
          saml: m.saml,
          close: () =>
            (closing ??= (async () => {
              const done = new Promise<void>((r) => (closed = r));
              worker.postMessage({ type: 'close' });
              await Promise.race([done, exited, new Promise((r) => setTimeout(r, 2000).unref())]);
              await worker.terminate();
            })()),
        });
      }
    });
  });
}
