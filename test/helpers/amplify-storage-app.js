// A browser app written as for the deployed stack: aws-amplify v6, unmodified, configured with the
// local outputs (fetched from its own origin, as an app ships amplify_outputs.json). Bundled with
// esbuild by test/local-amplify-storage.test.ts. Storage calls carry one local-only option,
// `customEndpoint` (outputs.local.storageCustomEndpoint): aws-amplify 6 has no config key for an
// S3 endpoint, and with this option it calls https://<bucket>.<customEndpoint>/<key>.
// The test drives it through window.storageApp; every call answers { ok } or { error: <name> }.
import { Amplify } from 'aws-amplify';
import { fetchAuthSession, signIn, signOut } from 'aws-amplify/auth';
import { downloadData, getUrl, list, remove, uploadData } from 'aws-amplify/storage';

let local = {};

const outcome = async (run) => {
  try {
    return { ok: await run() };
  } catch (e) {
    return { error: (e && e.name) || String(e), message: e && e.message };
  }
};

window.storageApp = {
  async configure() {
    const outputs = await (await fetch('/amplify_outputs.json')).json();
    Amplify.configure(outputs);
    local = { customEndpoint: outputs.local.storageCustomEndpoint };
    return local.customEndpoint;
  },
  signIn: (username, password) =>
    outcome(async () => {
      await signOut();
      const r = await signIn({ username, password });
      const session = await fetchAuthSession();
      return { isSignedIn: r.isSignedIn, identityId: session.identityId, sub: session.tokens.idToken.payload.sub };
    }),
  download: (path) =>
    outcome(async () => {
      const { body, contentType } = await downloadData({ path, options: local }).result;
      return { text: await body.text(), contentType };
    }),
  upload: (path, text) => outcome(async () => (await uploadData({ path, data: text, options: { ...local, contentType: 'text/plain' } }).result).path),
  // A presigned GET URL (the signature in the query), fetched as an <img> or link would be.
  presignedGet: (path) =>
    outcome(async () => {
      const { url } = await getUrl({ path, options: local });
      const r = await fetch(url);
      const text = await r.text();
      if (!r.ok) throw Object.assign(new Error(text), { name: /<Code>([^<]+)<\/Code>/.exec(text)?.[1] ?? `HTTP ${r.status}` });
      return { host: url.host, text };
    }),
  list: (path) => outcome(async () => (await list({ path, options: local })).items.map((i) => i.path)),
  remove: (path) => outcome(async () => (await remove({ path, options: local })).path),
};
