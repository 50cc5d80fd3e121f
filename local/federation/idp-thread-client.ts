import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import { repoPath } from '../../config/paths';
import type { FromIdpThread, IdpThreadOptions, IdpThreadPreparation, IdpThreadReady, ToIdpThread } from './idp-protocol';

export interface IdpThread extends Omit<IdpThreadReady, 'type'> {
  close(): Promise<void>;
}

/**
 * The identity-provider thread, launched: it loads its libraries and keys meanwhile. `start`
 * (once) starts the IdPs; `close` stops the thread, started or not, and is safe to call twice.
 */
export interface LaunchedIdpThread {
  start(options: IdpThreadOptions): Promise<IdpThread>;
  close(): Promise<void>;
}

/** The compiled thread script: this module's sibling in dist/, or the build's copy under jest. */
function threadScript(): string {
  const script = __filename.endsWith('.ts') ? repoPath('dist/local/federation/idp-thread.js') : path.join(__dirname, 'idp-thread.js');
  if (!existsSync(script)) throw new Error(`the identity-provider thread ${script} is missing: run \`npm run build\` first`);
  return script;
}

/**
 * Launches the identity-provider thread for what `preparation` names. Call it as early as the
 * stack is known: the thread's start (oidc-provider, samlify, the keys) then overlaps the rest
 * of the local mode's.
 */
export function launchIdpThread(preparation: IdpThreadPreparation): LaunchedIdpThread {
  const worker = new Worker(threadScript(), { workerData: preparation });
  const post = (m: ToIdpThread) => worker.postMessage(m);
  let exitCode: number | undefined;
  const exited = new Promise<void>((r) => worker.once('exit', (code) => {
    exitCode = code;
    r();
  }));
  // Until `start` listens: a thread that failed while loading says so at `start`.
  let failure: Error | undefined;
  worker.once('error', (e) => (failure ??= e));
  let closed: (() => void) | undefined;
  worker.on('message', (m: FromIdpThread) => {
    if (m.type === 'closed') closed?.();
  });
  let closing: Promise<void> | undefined;
  const close = () =>
    (closing ??= (async () => {
      if (exitCode === undefined) {
        const done = new Promise<void>((r) => (closed = r));
        post({ type: 'close' });
        await Promise.race([done, exited, new Promise((r) => setTimeout(r, 2000).unref())]);
      }
      await worker.terminate();
    })());
  let started: Promise<IdpThread> | undefined;
  return {
    close,
    start: (options) =>
      (started ??= new Promise<IdpThread>((resolve, reject) => {
        const fail = (e: Error) => reject(new Error(`local identity providers failed to start: ${e.message}`, { cause: e }));
        if (failure) return fail(failure);
        if (exitCode !== undefined) return reject(new Error(`the identity-provider thread stopped (exit code ${exitCode}) before it was ready`));
        worker.once('error', fail);
        void exited.then(() => reject(new Error(`the identity-provider thread stopped (exit code ${exitCode}) before it was ready`)));
        worker.on('message', (m: FromIdpThread) => {
          if (m.type === 'error') {
            fail(Object.assign(new Error(m.message), { stack: m.stack }));
            void worker.terminate();
          } else if (m.type === 'ready') {
            resolve({ google: m.google, saml: m.saml, close });
          }
        });
        post({ type: 'start', options });
      })),
  };
}
