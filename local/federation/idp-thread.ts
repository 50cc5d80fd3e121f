/**
 * The identity-provider thread: the local Google (oidc-provider) and SAML IdPs (samlify), each
 * on its own loopback port. A thread because oidc-provider is ESM-only: here it is plain Node
 * (`require(esm)`), outside any test runner's module system; and the IdPs' work (key
 * generation, XML signing) stays off the local mode's main thread.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { startGoogleIdp } from './google-idp';
import type { FromIdpThread, IdpThreadOptions, ToIdpThread } from './idp-protocol';
import { startSamlIdp } from './saml-idp';

const port = parentPort!;
const options = workerData as IdpThreadOptions;
const send = (m: FromIdpThread) => port.postMessage(m);

async function main(): Promise<void> {
  const forIdp = (name: string) => options.users.filter((u) => u.idp === name);
  // SAML first: its key is made on libuv's pool while oidc-provider loads (synchronously) for Google.
  const samlStarts = options.saml.map((s) => startSamlIdp(options.host, s, forIdp(s.name)));
  const googleStart = options.google ? startGoogleIdp(options.host, options.google, forIdp('Google')) : Promise.resolve(undefined);
  const [google, ...saml] = await Promise.all([googleStart, ...samlStarts]);
  const running = [...(google ? [google] : []), ...saml.filter((s): s is NonNullable<typeof s> => !!s)];
  port.on('message', (m: ToIdpThread) => {
    if (m.type !== 'close') return;
    void Promise.allSettled(running.map((r) => r.close())).then(() => {
      send({ type: 'closed' });
      port.close();
    });
  });
  send({
    type: 'ready',
    google: google && { issuer: google.issuer },
    saml: saml.map((s) => ({ name: s.name, metadata: s.metadata, entityId: s.entityId, ssoUrl: s.ssoUrl })),
  });
}

main().catch((e: Error) => send({ type: 'error', message: e.message, stack: e.stack }));
