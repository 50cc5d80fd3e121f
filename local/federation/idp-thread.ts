/**
 * The identity-provider thread: the local Google (oidc-provider) and SAML IdPs (samlify), each
 * on its own loopback port. A thread because oidc-provider is ESM-only: here it is plain Node
 * (`require(esm)`), outside any test runner's module system; and the IdPs' work (loading the
 * libraries, making keys, XML signing) stays off the local mode's main thread.
 *
 * Two steps, so the slow part overlaps the rest of the start: launched with what the stack
 * needs (IdpThreadPreparation), it loads its keys and libraries at once; the `start` message
 * (sent once the managed login's origin is known) then only builds the IdPs and listens.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { googleIdpKey, loadOidcProvider, startGoogleIdp } from './google-idp';
import type { FromIdpThread, IdpThreadOptions, IdpThreadPreparation, ToIdpThread } from './idp-protocol';
import { samlIdpKey, startSamlIdp } from './saml-idp';
import { useSchemaValidator } from './saml-validator';

const port = parentPort!;
const preparation = workerData as IdpThreadPreparation;
const send = (m: FromIdpThread) => port.postMessage(m);

// The keys are read (or made, on libuv's pool) while the libraries load below.
const keys = Promise.all([
  preparation.google ? googleIdpKey(preparation.keysDir) : undefined,
  Promise.all(preparation.saml.map(async (name) => [name, await samlIdpKey(preparation.keysDir, name)] as const)),
]);
// Unhandled until `start` awaits it; a failure is reported then.
keys.catch(() => undefined);
if (preparation.google) loadOidcProvider();
if (preparation.saml.length > 0) useSchemaValidator();

let running: { close(): Promise<void> }[] = [];

async function start(options: IdpThreadOptions): Promise<void> {
  const [googleKey, samlKeys] = await keys;
  const forIdp = (name: string) => options.users.filter((u) => u.idp === name);
  const samlKey = (name: string) => {
    const key = samlKeys.find(([n]) => n === name)?.[1];
    if (!key) throw new Error(`the identity-provider thread was launched without the SAML provider ${name}`);
    return key;
  };
  if (options.google && !googleKey) throw new Error('the identity-provider thread was launched without Google');
  const samlStarts = options.saml.map((s) => startSamlIdp(options.host, s, forIdp(s.name), samlKey(s.name)));
  const googleStart = options.google && googleKey ? startGoogleIdp(options.host, options.google, forIdp('Google'), googleKey) : Promise.resolve(undefined);
  const [google, ...saml] = await Promise.all([googleStart, ...samlStarts]);
  running = [...(google ? [google] : []), ...saml];
  send({
    type: 'ready',
    google: google && { issuer: google.issuer },
    saml: saml.map((s) => ({ name: s.name, metadata: s.metadata, entityId: s.entityId, ssoUrl: s.ssoUrl })),
  });
}

port.on('message', (m: ToIdpThread) => {
  switch (m.type) {
    case 'start':
      start(m.options).catch((e: Error) => send({ type: 'error', message: e.message, stack: e.stack }));
      return;
    case 'close':
      void Promise.allSettled(running.map((r) => r.close())).then(() => {
        send({ type: 'closed' });
        port.close();
      });
      return;
  }
});
