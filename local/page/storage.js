// The page's bucket view: with the signed-in persona's ID token it gets identity-pool credentials
// (GetId, GetCredentialsForIdentity), shows the role the pool picked (STS GetCallerIdentity with
// those credentials) and lists, reads and uploads under public/, premium/ and the persona's own
// private/<sub>/, showing each answer of the local S3 endpoint (AccessDenied included).
// app.js announces sign-in and sign-out with a `local-session` event; this file does the rest.
'use strict';

(() => {
  const $ = (id) => document.getElementById(id);
  let config = null;
  let current = null; // { idToken, sub, credentials }

  async function identityPool(action, body) {
    const res = await fetch(config.identityPoolEndpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': `AWSCognitoIdentityService.${action}` },
      body: JSON.stringify(body),
    });
    const json = await res.json();
    if (!res.ok) throw new Error(`${json.__type || res.status}: ${json.message || ''}`);
    return json;
  }

  async function signedFetch(service, method, url, body, extraHeaders = {}) {
    const headers = await window.localSigV4.sign({ method, url, body, region: config.region, service, credentials: current.credentials });
    return fetch(url, { method, headers: { ...extraHeaders, ...headers }, body });
  }

  const objectUrl = (key) => new URL(`${config.s3Endpoint}/${config.bucket}/${key.split('/').map(window.localSigV4.uriEncode).join('/')}`);
  /** `ok` or S3's error code. */
  async function outcome(res) {
    if (res.ok) return 'ok';
    const code = /<Code>([^<]+)<\/Code>/.exec(await res.text());
    return code ? code[1] : `HTTP ${res.status}`;
  }

  function cell(prefix, op, text, ok) {
    const td = document.querySelector(`#bucket-rows tr[data-prefix="${prefix}"] td[data-op="${op}"] span`);
    td.textContent = text;
    td.className = ok ? 'yes' : 'no';
  }

  async function list(prefix) {
    const url = new URL(`${config.s3Endpoint}/${config.bucket}`);
    url.searchParams.set('list-type', '2');
    url.searchParams.set('prefix', prefix);
    const res = await signedFetch('s3', 'GET', url);
    if (!res.ok) return { outcome: await outcome(res), keys: [] };
    const keys = [...(await res.text()).matchAll(/<Key>([^<]+)<\/Key>/g)].map((m) => m[1]);
    return { outcome: 'ok', keys };
  }

  async function showPrefix(label, prefix) {
    const listed = await list(prefix);
    cell(label, 'list', listed.outcome === 'ok' ? `${listed.keys.length} object(s): ${listed.keys.join(', ')}` : listed.outcome, listed.outcome === 'ok');
    const key = listed.keys[0] || config.seededKeys.find((k) => k.startsWith(prefix));
    if (!key) {
      cell(label, 'read', '(nothing to read)', true);
      return;
    }
    const res = await signedFetch('s3', 'GET', objectUrl(key));
    const result = await outcome(res.clone());
    cell(label, 'read', result === 'ok' ? `${key}: ${(await res.text()).split('\n')[0]}` : `${key}: ${result}`, result === 'ok');
  }

  async function upload(label, prefix) {
    const key = `${prefix}from-the-page.txt`;
    const res = await signedFetch('s3', 'PUT', objectUrl(key), `written by the local page at ${new Date().toISOString()}`, { 'content-type': 'text/plain' });
    const result = await outcome(res);
    cell(label, 'write', result === 'ok' ? `wrote ${key}` : `${key}: ${result}`, result === 'ok');
    if (result === 'ok') await showPrefix(label, prefix);
  }

  function prefixes() {
    return [
      ['public', 'public/'],
      ['premium', 'premium/'],
      ['private', `private/${current.sub}/`],
    ];
  }

  async function show(session) {
    if (!config) config = (await (await fetch('/local-config.json')).json()).storage || null;
    const section = $('bucket');
    if (!config || !session || !session.idToken) {
      current = null;
      section.hidden = true;
      return;
    }
    if (current && current.idToken === session.idToken) return;
    section.hidden = false;
    $('bucket-role').textContent = 'asking the identity pool...';
    $('bucket-rows').replaceChildren();
    const sub = JSON.parse(atob(session.idToken.split('.')[1].replace(/-/g, '+').replace(/_/g, '/'))).sub;
    const Logins = { [config.provider]: session.idToken };
    try {
      const { IdentityId } = await identityPool('GetId', { IdentityPoolId: config.identityPoolId, Logins });
      const { Credentials } = await identityPool('GetCredentialsForIdentity', { IdentityId, Logins });
      current = { idToken: session.idToken, sub, credentials: { accessKeyId: Credentials.AccessKeyId, secretAccessKey: Credentials.SecretKey, sessionToken: Credentials.SessionToken } };
      const who = await signedFetch('sts', 'POST', new URL(config.identityPoolEndpoint), 'Action=GetCallerIdentity&Version=2011-06-15', {
        'content-type': 'application/x-www-form-urlencoded',
      });
      const text = await who.text();
      const arn = /<Arn>([^<]+)<\/Arn>/.exec(text);
      $('bucket-role').textContent = arn ? `${arn[1]} (identity ${IdentityId})` : `GetCallerIdentity: HTTP ${who.status} ${text}`;
    } catch (error) {
      current = null;
      $('bucket-role').textContent = `No credentials: ${error.message || error}`;
      return;
    }
    for (const [label, prefix] of prefixes()) {
      const tr = document.createElement('tr');
      tr.dataset.prefix = label;
      const name = document.createElement('td');
      name.textContent = prefix;
      tr.append(name);
      for (const op of ['list', 'read', 'write']) {
        const td = document.createElement('td');
        td.dataset.op = op;
        td.append(document.createElement('span'));
        if (op === 'write') {
          const b = document.createElement('button');
          b.type = 'button';
          b.textContent = 'Upload';
          b.addEventListener('click', () => upload(label, prefix).catch((e) => cell(label, 'write', String(e), false)));
          td.prepend(b);
        }
        tr.append(td);
      }
      $('bucket-rows').append(tr);
    }
    for (const [label, prefix] of prefixes()) await showPrefix(label, prefix).catch((e) => cell(label, 'list', String(e), false));
    section.dataset.ready = 'true';
  }

  window.addEventListener('local-session', (e) => {
    $('bucket').dataset.ready = '';
    show(e.detail).catch((error) => ($('bucket-role').textContent = `Bucket view failed: ${error.message || error}`));
  });
})();
