import { Sha256 } from '@aws-crypto/sha256-js';
import { SignatureV4 } from '@smithy/signature-v4';
import { CredentialStore, type CredentialSession } from '../local/credentials/credential-store';
import { SigV4Verifier, type ReceivedRequest } from '../local/credentials/sigv4';

const REGION = 'eu-west-1';
const ROLE = 'arn:aws:iam::000000000000:role/reader';

/** Turns a request signed by the AWS SDK's signer into what a local server receives. */
function received(signed: { method: string; path: string; query?: Record<string, unknown>; headers: Record<string, string>; body?: unknown }): ReceivedRequest {
  const query = Object.entries(signed.query ?? {})
    .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(String(v))}`)
    .join('&');
  const headers = Object.fromEntries(Object.entries(signed.headers).map(([k, v]) => [k.toLowerCase(), v]));
  return { method: signed.method, url: query ? `${signed.path}?${query}` : signed.path, headers, body: signed.body as Uint8Array | undefined };
}

function signerFor(s: Pick<CredentialSession, 'accessKeyId' | 'secretAccessKey' | 'sessionToken'>, service = 's3', region = REGION) {
  return new SignatureV4({ credentials: s, region, service, sha256: Sha256, uriEscapePath: service !== 's3' });
}

function baseRequest(extraHeaders: Record<string, string> = {}) {
  return {
    method: 'GET',
    protocol: 'https:',
    hostname: '127.0.0.1',
    port: 4566,
    path: '/bucket/public/a%20b.md',
    query: { 'list-type': '2', prefix: 'public/' },
    headers: { host: '127.0.0.1:4566', 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD', ...extraHeaders },
  };
}

describe('SigV4 verification of local temporary credentials', () => {
  let now = Date.now();
  const store = new CredentialStore(() => now);
  const verifier = new SigV4Verifier(store, () => now);
  const session = store.mint({ roleArn: ROLE, principalTags: { owner: 'u-1' }, sessionName: 'test' });
  beforeEach(() => {
    now = Date.now();
  });

  test('a header-signed request verifies and yields the bound role and tags', async () => {
    const signed = await signerFor(session).sign(baseRequest(), { signingDate: new Date(now) });
    const v = await verifier.verify(received(signed), { region: REGION, service: 's3', uriEscapePath: false });
    expect(v.session.roleArn).toBe(ROLE);
    expect(v.session.principalTags).toEqual({ owner: 'u-1' });
    expect(v.presigned).toBe(false);
  });

  test('a presigned URL verifies; after X-Amz-Expires it is refused', async () => {
    const presigned = await signerFor(session).presign(baseRequest(), { signingDate: new Date(now), expiresIn: 60 });
    const r = received(presigned);
    expect((await verifier.verify(r, { region: REGION, service: 's3', uriEscapePath: false })).presigned).toBe(true);
    now += 61_000;
    await expect(verifier.verify(r, { region: REGION, service: 's3', uriEscapePath: false })).rejects.toMatchObject({ problem: 'RequestExpired' });
  });

  test('a body-hashing service (no x-amz-content-sha256) verifies the body; a changed body is refused', async () => {
    const body = new TextEncoder().encode('{"query":"{ articles { id } }"}');
    const req = { method: 'POST', protocol: 'https:', hostname: '127.0.0.1', path: '/graphql', headers: { host: '127.0.0.1', 'content-type': 'application/json' }, body };
    const signed = await signerFor(session, 'appsync').sign(req, { signingDate: new Date(now) });
    await expect(verifier.verify(received(signed), { region: REGION, service: 'appsync' })).resolves.toMatchObject({ session: { roleArn: ROLE } });
    const changed = { ...received(signed), body: new TextEncoder().encode('{"query":"{ users { id } }"}') };
    await expect(verifier.verify(changed, { region: REGION, service: 'appsync' })).rejects.toMatchObject({ problem: 'ContentHashMismatch' });
    const unhashed = { ...changed, headers: { ...changed.headers, 'x-amz-content-sha256': undefined } };
    await expect(verifier.verify(unhashed, { region: REGION, service: 'appsync' })).rejects.toMatchObject({ problem: 'SignatureMismatch' });
  });

  test.each([
    ['a tampered signature', (r: ReceivedRequest) => ({ ...r, headers: { ...r.headers, authorization: String(r.headers.authorization).replace(/Signature=(.)/, (_m, c: string) => `Signature=${c === 'a' ? 'b' : 'a'}`) } }), 'SignatureMismatch'],
    ['a changed path', (r: ReceivedRequest) => ({ ...r, url: r.url.replace('public', 'premium') }), 'SignatureMismatch'],
    ['a changed signed header', (r: ReceivedRequest) => ({ ...r, headers: { ...r.headers, host: 'evil:1' } }), 'SignatureMismatch'],
    ['a missing session token', (r: ReceivedRequest) => ({ ...r, headers: { ...r.headers, 'x-amz-security-token': undefined } }), 'MissingToken'],
    ['another session token', (r: ReceivedRequest) => ({ ...r, headers: { ...r.headers, 'x-amz-security-token': 'AAAA' } }), 'BadToken'],
    ['a malformed Authorization header', (r: ReceivedRequest) => ({ ...r, headers: { ...r.headers, authorization: 'AWS4-HMAC-SHA256 Credential=x' } }), 'Malformed'],
    ['no signature at all', (r: ReceivedRequest) => ({ ...r, headers: { host: String(r.headers.host) } }), 'Missing'],
  ])('%s is refused', async (_name, change, problem) => {
    const signed = await signerFor(session).sign(baseRequest(), { signingDate: new Date(now) });
    await expect(verifier.verify(change(received(signed)), { region: REGION, service: 's3', uriEscapePath: false })).rejects.toMatchObject({ problem });
  });

  test('the Authorization header: fields in another order and without spaces verify; each malformed form is named', async () => {
    const signed = received(await signerFor(session).sign(baseRequest(), { signingDate: new Date(now) }));
    const auth = String(signed.headers.authorization);
    const field = (name: string) => new RegExp(`${name}=([^,]+)`).exec(auth)![1];
    const [credential, signedHeaders, signature] = [field('Credential'), field('SignedHeaders'), field('Signature')];
    const withAuth = (authorization: string, headers: Record<string, string | undefined> = {}) => ({ ...signed, headers: { ...signed.headers, authorization, ...headers } });
    const options = { region: REGION, service: 's3', uriEscapePath: false };
    const reordered = `AWS4-HMAC-SHA256 Signature=${signature},Credential=${credential},SignedHeaders=${signedHeaders}`;
    await expect(verifier.verify(withAuth(reordered), options)).resolves.toMatchObject({ session: { roleArn: ROLE } });
    const malformed: [string, string, Record<string, string | undefined>?][] = [
      [`AWS4-HMAC-SHA1 Credential=${credential}, SignedHeaders=${signedHeaders}, Signature=${signature}`, 'Authorization: expected "AWS4-HMAC-SHA256 Credential=..., SignedHeaders=..., Signature=..."'],
      [`AWS4-HMAC-SHA256 Credential=${credential}, SignedHeaders=${signedHeaders}`, 'Authorization: the Signature field is missing or empty'],
      [`AWS4-HMAC-SHA256 Credential=${credential}, SignedHeaders=, Signature=${signature}`, 'Authorization: the SignedHeaders field is missing or empty'],
      [`AWS4-HMAC-SHA256 Credential=${credential}, SignedHeaders=${signedHeaders}, Signature=${signature.toUpperCase()}`, 'Authorization: Signature is not 64 lowercase hex digits'],
      [`AWS4-HMAC-SHA256 Credential=${credential.replace('/aws4_request', '')}, SignedHeaders=${signedHeaders}, Signature=${signature}`, 'expected <access key>/<yyyymmdd>/<region>/<service>/aws4_request'],
      [auth, 'the X-Amz-Date header is missing', { 'x-amz-date': undefined }],
    ];
    for (const [authorization, message, headers] of malformed) {
      const refusal = verifier.verify(withAuth(authorization, headers), options);
      await expect(refusal).rejects.toMatchObject({ problem: 'Malformed' });
      await expect(refusal).rejects.toThrow(message);
    }
  });

  test('a scope naming another region or service is refused', async () => {
    const otherRegion = await signerFor(session, 's3', 'us-east-1').sign(baseRequest(), { signingDate: new Date(now) });
    await expect(verifier.verify(received(otherRegion), { region: REGION, service: 's3', uriEscapePath: false })).rejects.toMatchObject({ problem: 'WrongRegion' });
    const otherService = await signerFor(session, 'sqs').sign(baseRequest(), { signingDate: new Date(now) });
    await expect(verifier.verify(received(otherService), { region: REGION, service: 's3', uriEscapePath: false })).rejects.toMatchObject({ problem: 'WrongService' });
  });

  test('unknown keys and expired credentials are refused; a stale request date is refused', async () => {
    const stranger = { accessKeyId: 'ASIAUNKNOWNUNKNOWN12', secretAccessKey: 'x', sessionToken: 'y' };
    const unknown = await signerFor(stranger).sign(baseRequest(), { signingDate: new Date(now) });
    await expect(verifier.verify(received(unknown), { region: REGION, service: 's3', uriEscapePath: false })).rejects.toMatchObject({ problem: 'UnknownKey' });
    const stale = await signerFor(session).sign(baseRequest(), { signingDate: new Date(now - 16 * 60_000) });
    await expect(verifier.verify(received(stale), { region: REGION, service: 's3', uriEscapePath: false })).rejects.toMatchObject({ problem: 'Skewed' });
    const short = store.mint({ roleArn: ROLE, sessionName: 'short', durationSeconds: 900 });
    now += 901_000;
    const late = await signerFor(short).sign(baseRequest(), { signingDate: new Date(now) });
    await expect(verifier.verify(received(late), { region: REGION, service: 's3', uriEscapePath: false })).rejects.toMatchObject({ problem: 'Expired' });
  });
});
