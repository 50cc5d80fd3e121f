import {
  CognitoIdentityClient,
  GetCredentialsForIdentityCommand,
  GetIdCommand,
  GetOpenIdTokenCommand,
  type Credentials,
} from '@aws-sdk/client-cognito-identity';
import { DeleteObjectCommand, GetObjectCommand, HeadObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client, UploadPartCommand } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { Sha256 } from '@aws-crypto/sha256-js';
import { SignatureV4 } from '@smithy/signature-v4';
import { readFileSync } from 'node:fs';
import * as https from 'node:https';
import { expiredToken, foreignKeyToken } from './helpers/forged-tokens';
import { closeStartedStacks, startLocalStack, type TestLocalStack } from './helpers/local-stack';
import { seedPrivateObject, STORAGE_ALLOWED, type StorageCell, type StoragePlace } from './helpers/storage-personas';

/**
 * The local AWS-credentials plane with the AWS SDK v3 clients, unmodified: a demo user's ID
 * token gets identity-pool credentials for the role the stack's role mapping picks, and those
 * credentials read, write and list the content bucket exactly as the synthesized role
 * policies and bucket policy allow (evaluated by an IAM policy evaluator).
 */

let stack: TestLocalStack;
let identity: CognitoIdentityClient;
let ca: Buffer;

beforeAll(async () => {
  stack = await startLocalStack();
  const cognito = stack.outputs.Auth.Cognito;
  identity = new CognitoIdentityClient({ endpoint: cognito.identityPoolEndpoint, region: stack.stack.region });
  ca = readFileSync(stack.outputs.local.caFile);
}, 180_000);

afterAll(async () => {
  identity?.destroy();
  await closeStartedStacks();
});

function providerName(): string {
  return `cognito-idp.${stack.stack.region}.amazonaws.com/${stack.outputs.Auth.Cognito.userPoolId}`;
}

async function credentialsFor(email: string): Promise<{ identityId: string; credentials: Credentials; sub: string }> {
  const { idToken } = await stack.signIn(email);
  const Logins = { [providerName()]: idToken };
  const { IdentityId } = await identity.send(new GetIdCommand({ IdentityPoolId: stack.outputs.Auth.Cognito.identityPoolId, Logins }));
  const out = await identity.send(new GetCredentialsForIdentityCommand({ IdentityId, Logins }));
  const sub = JSON.parse(Buffer.from(idToken.split('.')[1], 'base64url').toString()).sub as string;
  return { identityId: IdentityId!, credentials: out.Credentials!, sub };
}

function s3With(c: Credentials): S3Client {
  return new S3Client({
    endpoint: stack.outputs.local.s3Endpoint,
    region: stack.outputs.Storage!.S3.region,
    forcePathStyle: true,
    credentials: { accessKeyId: c.AccessKeyId!, secretAccessKey: c.SecretKey!, sessionToken: c.SessionToken! },
    requestHandler: { httpsAgent: new https.Agent({ ca }) },
  });
}

/** 'ok' or the S3 error code the SDK surfaced. */
async function outcome(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'ok';
  } catch (e) {
    return (e as { name?: string }).name ?? String(e);
  }
}

describe('identity pool (CognitoIdentityClient)', () => {
  test('outputs carry the identity pool, the bucket and the S3 endpoint', () => {
    expect(stack.outputs.Auth.Cognito.identityPoolId).toMatch(new RegExp(`^${stack.stack.region}:[0-9a-f-]{36}$`));
    expect(stack.outputs.Auth.Cognito.identityPoolEndpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(stack.outputs.Storage?.S3.bucket).toMatch(/^content-dev-assets-/);
    expect(stack.outputs.local.s3Endpoint).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
  });

  test('GetId without Logins is NotAuthorizedException (no guest identities)', async () => {
    await expect(identity.send(new GetIdCommand({ IdentityPoolId: stack.outputs.Auth.Cognito.identityPoolId }))).rejects.toMatchObject({
      name: 'NotAuthorizedException',
    });
  });

  test('expired and foreign-key tokens are refused', async () => {
    const { idToken } = await stack.signIn('reader@example.com');
    for (const bad of [expiredToken(idToken), foreignKeyToken(idToken)]) {
      await expect(
        identity.send(new GetIdCommand({ IdentityPoolId: stack.outputs.Auth.Cognito.identityPoolId, Logins: { [providerName()]: bad } })),
      ).rejects.toMatchObject({ name: 'NotAuthorizedException' });
    }
  });

  test('an access token is not a login token', async () => {
    const { accessToken } = await stack.signIn('reader@example.com');
    await expect(
      identity.send(new GetIdCommand({ IdentityPoolId: stack.outputs.Auth.Cognito.identityPoolId, Logins: { [providerName()]: accessToken } })),
    ).rejects.toMatchObject({ name: 'NotAuthorizedException' });
  });

  test("another user's identity id is refused", async () => {
    const admin = await credentialsFor('admin@example.com');
    const { idToken } = await stack.signIn('reader@example.com');
    await expect(
      identity.send(new GetCredentialsForIdentityCommand({ IdentityId: admin.identityId, Logins: { [providerName()]: idToken } })),
    ).rejects.toMatchObject({ name: 'NotAuthorizedException' });
  });

  test('the identity id is stable for a user; credentials expire in the future; GetOpenIdToken signs for the identity', async () => {
    const a = await credentialsFor('subscriber@example.com');
    const b = await credentialsFor('subscriber@example.com');
    expect(b.identityId).toBe(a.identityId);
    expect(b.credentials.AccessKeyId).not.toBe(a.credentials.AccessKeyId);
    expect(a.credentials.AccessKeyId).toMatch(/^ASIA[A-Z2-7]{16}$/);
    expect(a.credentials.Expiration!.getTime()).toBeGreaterThan(Date.now() + 50 * 60_000);
    const { idToken } = await stack.signIn('subscriber@example.com');
    const token = await identity.send(new GetOpenIdTokenCommand({ IdentityId: a.identityId, Logins: { [providerName()]: idToken } }));
    const claims = JSON.parse(Buffer.from(token.Token!.split('.')[1], 'base64url').toString());
    expect(claims).toMatchObject({ sub: a.identityId, aud: stack.outputs.Auth.Cognito.identityPoolId, iss: 'https://cognito-identity.amazonaws.com' });
  });

  test('each persona gets the role the role mapping picks, with its sub as the owner principal tag', async () => {
    const roles: Record<string, string> = {};
    for (const email of ['admin@example.com', 'editor@example.com', 'subscriber@example.com', 'reader@example.com']) {
      const { credentials, sub } = await credentialsFor(email);
      const session = stack.aws.credentials.lookup(credentials.AccessKeyId!, credentials.SessionToken);
      if (typeof session === 'string') throw new Error(session);
      roles[email] = session.roleArn.split('/').pop()!;
      expect(session.principalTags).toEqual({ owner: sub });
    }
    expect(roles).toEqual({
      'admin@example.com': 'content-dev-group-admins',
      'editor@example.com': 'content-dev-group-editors',
      'subscriber@example.com': 'content-dev-group-subscribers',
      'reader@example.com': 'content-dev-authenticated',
    });
  });
});

describe('content bucket (S3Client) authorized by the synthesized policies', () => {
  type Cell = StorageCell;
  type Place = StoragePlace;
  const allowed = STORAGE_ALLOWED;

  test.each(Object.keys(allowed))('%s: public/, premium/, own and other private/ x read, write, list', async (email) => {
    const me = await credentialsFor(email);
    const otherSub = stack.userPool.demoUsers.find((u) => u.email === 'editor2@example.com')!.sub;
    const s3 = s3With(me.credentials);
    const Bucket = stack.outputs.Storage!.S3.bucket;
    const prefixes: Record<Place, string> = { public: 'public/', premium: 'premium/', own: `private/${me.sub}/`, other: `private/${otherSub}/` };
    const readKeys: Record<Place, string> = { public: 'public/welcome.md', premium: 'premium/handbook.md', own: `private/${me.sub}/notes.md`, other: `private/${otherSub}/notes.md` };
    // Objects to read in the private folders, written with the administrative store (as their owners would have).
    for (const place of ['own', 'other'] as const) seedPrivate(readKeys[place]);
    const seen: Record<Place, Cell[]> = { public: [], premium: [], own: [], other: [] };
    for (const place of Object.keys(prefixes) as Place[]) {
      if ((await outcome(s3.send(new GetObjectCommand({ Bucket, Key: readKeys[place] })))) === 'ok') seen[place].push('read');
      const key = `${prefixes[place]}upload-${Date.now()}.txt`;
      const put = await outcome(s3.send(new PutObjectCommand({ Bucket, Key: key, Body: `from ${email}`, ContentType: 'text/plain' })));
      if (put === 'ok') {
        seen[place].push('write');
        expect(await outcome(s3.send(new DeleteObjectCommand({ Bucket, Key: key })))).toBe('ok');
      } else {
        expect(put).toBe('AccessDenied');
      }
      if ((await outcome(s3.send(new ListObjectsV2Command({ Bucket, Prefix: prefixes[place] })))) === 'ok') seen[place].push('list');
    }
    expect(seen).toEqual(allowed[email]);
    s3.destroy();
  });

  test('GetObject returns the seeded body; HeadObject its size; ListObjectsV2 its key', async () => {
    const { credentials } = await credentialsFor('subscriber@example.com');
    const s3 = s3With(credentials);
    const Bucket = stack.outputs.Storage!.S3.bucket;
    const got = await s3.send(new GetObjectCommand({ Bucket, Key: 'premium/handbook.md' }));
    const body = await got.Body!.transformToString();
    expect(body).toMatch(/^# Subscriber handbook/);
    const head = await s3.send(new HeadObjectCommand({ Bucket, Key: 'premium/handbook.md' }));
    expect(head.ContentLength).toBe(Buffer.byteLength(body));
    const list = await s3.send(new ListObjectsV2Command({ Bucket, Prefix: 'premium/' }));
    expect(list.Contents?.map((c) => c.Key)).toContain('premium/handbook.md');
    // As in AWS: a missing key is NoSuchKey only with s3:ListBucket on the bucket; the stack grants
    // listing only under an s3:prefix condition, which a GetObject does not carry, so it is AccessDenied.
    const missing = await outcome(s3.send(new GetObjectCommand({ Bucket, Key: 'premium/nothing-here.md' })));
    expect(missing).toBe('AccessDenied');
    s3.destroy();
  });

  test('a denied object is AccessDenied 403 with S3 XML, and a missing key the caller may not list is AccessDenied too', async () => {
    const { credentials } = await credentialsFor('reader@example.com');
    const s3 = s3With(credentials);
    const Bucket = stack.outputs.Storage!.S3.bucket;
    const e = await s3.send(new GetObjectCommand({ Bucket, Key: 'premium/handbook.md' })).catch((x: unknown) => x as { name: string; $metadata: { httpStatusCode: number } });
    expect(e).toMatchObject({ name: 'AccessDenied', $metadata: { httpStatusCode: 403 } });
    expect(await outcome(s3.send(new GetObjectCommand({ Bucket, Key: 'premium/nothing-here.md' })))).toBe('AccessDenied');
    s3.destroy();
  });

  test('unsigned, tampered, unknown-key and missing-token requests are refused without changing an object', async () => {
    const Bucket = stack.outputs.Storage!.S3.bucket;
    const url = `${stack.outputs.local.s3Endpoint}/${Bucket}/public/welcome.md`;
    const before = readSeed();
    const unsigned = await httpsRequest(url, 'GET', {});
    expect(unsigned.status).toBe(403);
    expect(unsigned.body).toMatch(/<Code>AccessDenied<\/Code>/);
    const { credentials } = await credentialsFor('admin@example.com');
    const noToken = s3With({ ...credentials, SessionToken: undefined });
    expect(await outcome(noToken.send(new GetObjectCommand({ Bucket, Key: 'public/welcome.md' })))).toBe('InvalidAccessKeyId');
    const wrongSecret = s3With({ ...credentials, SecretKey: 'not-the-secret' });
    expect(await outcome(wrongSecret.send(new PutObjectCommand({ Bucket, Key: 'premium/handbook.md', Body: 'overwritten' })))).toBe('SignatureDoesNotMatch');
    const unknown = s3With({ AccessKeyId: 'ASIAAAAAAAAAAAAAAAAA', SecretKey: 'x', SessionToken: 'y', Expiration: new Date() });
    expect(await outcome(unknown.send(new GetObjectCommand({ Bucket, Key: 'public/welcome.md' })))).toBe('InvalidAccessKeyId');
    const otherRegion = new S3Client({
      endpoint: stack.outputs.local.s3Endpoint,
      region: 'us-east-2',
      forcePathStyle: true,
      credentials: { accessKeyId: credentials.AccessKeyId!, secretAccessKey: credentials.SecretKey!, sessionToken: credentials.SessionToken! },
      requestHandler: { httpsAgent: new https.Agent({ ca }) },
    });
    expect(await outcome(otherRegion.send(new GetObjectCommand({ Bucket, Key: 'public/welcome.md' })))).toBe('AuthorizationHeaderMalformed');
    expect(readSeed()).toEqual(before);
    for (const c of [noToken, wrongSecret, unknown, otherRegion]) c.destroy();
  });

  test('keys with .. or NUL and oversized bodies get S3 errors; the server keeps serving', async () => {
    const { credentials, sub } = await credentialsFor('admin@example.com');
    const s3 = s3With(credentials);
    const Bucket = stack.outputs.Storage!.S3.bucket;
    expect(await outcome(s3.send(new PutObjectCommand({ Bucket, Key: `private/${sub}/../../premium/x`, Body: 'x' })))).toBe('InvalidArgument');
    expect(await outcome(s3.send(new PutObjectCommand({ Bucket, Key: `private/${sub}/a\u0000b`, Body: 'x' })))).toBe('InvalidArgument');
    expect(await outcome(s3.send(new PutObjectCommand({ Bucket, Key: `private/${sub}/big`, Body: Buffer.alloc(17 * 1024 * 1024) })))).toBe('EntityTooLarge');
    const left = await s3.send(new ListObjectsV2Command({ Bucket, Prefix: `private/${sub}/` }));
    expect((left.Contents ?? []).map((c) => c.Key)).not.toContain(`private/${sub}/big`);
    expect(await outcome(s3.send(new GetObjectCommand({ Bucket, Key: 'public/welcome.md' })))).toBe('ok');
    // A multipart part is not the object: refused, never stored as premium/handbook.md.
    const before = readSeed();
    expect(await outcome(s3.send(new UploadPartCommand({ Bucket, Key: 'premium/handbook.md', UploadId: 'x', PartNumber: 1, Body: 'part' })))).toBe('NotImplemented');
    expect(readSeed()).toEqual(before);
    s3.destroy();
  });
});

describe('STS GetCallerIdentity on the identity pool port', () => {
  async function callerIdentity(c: Credentials, secret = c.SecretKey!): Promise<{ status: number; body: string }> {
    const url = new URL(stack.outputs.Auth.Cognito.identityPoolEndpoint!);
    const body = 'Action=GetCallerIdentity&Version=2011-06-15';
    const signer = new SignatureV4({
      credentials: { accessKeyId: c.AccessKeyId!, secretAccessKey: secret, sessionToken: c.SessionToken },
      region: stack.stack.region,
      service: 'sts',
      sha256: Sha256,
    });
    const signed = await signer.sign({ method: 'POST', protocol: 'http:', hostname: url.hostname, port: Number(url.port), path: '/', query: {}, headers: { host: url.host, 'content-type': 'application/x-www-form-urlencoded' }, body });
    const res = await fetch(url, { method: 'POST', headers: signed.headers as Record<string, string>, body });
    return { status: res.status, body: await res.text() };
  }

  test('names the assumed role the identity pool picked; a wrong secret is SignatureDoesNotMatch', async () => {
    const { credentials } = await credentialsFor('subscriber@example.com');
    const ok = await callerIdentity(credentials);
    expect(ok.status).toBe(200);
    expect(ok.body).toMatch(/<Arn>arn:aws:sts::000000000000:assumed-role\/content-dev-group-subscribers\/CognitoIdentityCredentials<\/Arn>/);
    const bad = await callerIdentity(credentials, 'not-the-secret');
    expect(bad.status).toBe(403);
    expect(bad.body).toMatch(/<Code>SignatureDoesNotMatch<\/Code>/);
  });
});

describe('presigned URLs made by @aws-sdk/s3-request-presigner', () => {
  const Bucket = () => stack.outputs.Storage!.S3.bucket;

  test('GET is allowed or denied as the signer\'s role policies say', async () => {
    const subscriber = s3With((await credentialsFor('subscriber@example.com')).credentials);
    const reader = s3With((await credentialsFor('reader@example.com')).credentials);
    const allowed = await getSignedUrl(subscriber, new GetObjectCommand({ Bucket: Bucket(), Key: 'premium/handbook.md' }), { expiresIn: 300 });
    expect(allowed).toMatch(/X-Amz-Signature=/);
    const ok = await httpsRequest(allowed, 'GET', {});
    expect(ok.status).toBe(200);
    expect(ok.body).toMatch(/^# Subscriber handbook/);
    const denied = await httpsRequest(await getSignedUrl(reader, new GetObjectCommand({ Bucket: Bucket(), Key: 'premium/handbook.md' }), { expiresIn: 300 }), 'GET', {});
    expect(denied.status).toBe(403);
    expect(denied.body).toMatch(/<Code>AccessDenied<\/Code>/);
    subscriber.destroy();
    reader.destroy();
  });

  test('PUT writes where the role may write and is AccessDenied elsewhere, changing nothing', async () => {
    const me = await credentialsFor('subscriber@example.com');
    const s3 = s3With(me.credentials);
    const own = `private/${me.sub}/presigned-${Date.now()}.txt`;
    const put = await getSignedUrl(s3, new PutObjectCommand({ Bucket: Bucket(), Key: own }), { expiresIn: 300 });
    expect((await httpsRequest(put, 'PUT', {}, 'uploaded with a presigned URL')).status).toBe(200);
    const back = await s3.send(new GetObjectCommand({ Bucket: Bucket(), Key: own }));
    expect(await back.Body!.transformToString()).toBe('uploaded with a presigned URL');
    const before = readSeed();
    const premium = await getSignedUrl(s3, new PutObjectCommand({ Bucket: Bucket(), Key: 'premium/handbook.md' }), { expiresIn: 300 });
    const denied = await httpsRequest(premium, 'PUT', {}, 'overwritten');
    expect(denied.status).toBe(403);
    expect(denied.body).toMatch(/<Code>AccessDenied<\/Code>/);
    expect(readSeed()).toEqual(before);
    s3.destroy();
  });

  test('an expired URL and a tampered query are refused', async () => {
    const s3 = s3With((await credentialsFor('subscriber@example.com')).credentials);
    const expired = await getSignedUrl(s3, new GetObjectCommand({ Bucket: Bucket(), Key: 'public/welcome.md' }), {
      expiresIn: 60,
      signingDate: new Date(Date.now() - 5 * 60_000),
    });
    const late = await httpsRequest(expired, 'GET', {});
    expect(late.status).toBe(403);
    expect(late.body).toMatch(/<Code>AccessDenied<\/Code><Message>Request has expired<\/Message>/);
    const good = await getSignedUrl(s3, new GetObjectCommand({ Bucket: Bucket(), Key: 'public/welcome.md' }), { expiresIn: 60 });
    expect((await httpsRequest(good, 'GET', {})).status).toBe(200);
    for (const tampered of [good.replace('X-Amz-Expires=60', 'X-Amz-Expires=600'), good.replace('public/welcome.md', 'premium/handbook.md'), `${good}&response-content-type=text%2Fhtml`]) {
      const r = await httpsRequest(tampered, 'GET', {});
      expect({ url: tampered, status: r.status, code: /<Code>(\w+)<\/Code>/.exec(r.body)?.[1] }).toEqual({ url: tampered, status: 403, code: 'SignatureDoesNotMatch' });
    }
    s3.destroy();
  });
});

describe('malformed signatures get S3 errors and change nothing', () => {
  test('a malformed Authorization header, a scope naming another service and a key scope with a bad date', async () => {
    const url = `${stack.outputs.local.s3Endpoint}/${stack.outputs.Storage!.S3.bucket}/premium/handbook.md`;
    const before = readSeed();
    const { credentials } = await credentialsFor('admin@example.com');
    const amz = { 'x-amz-date': new Date().toISOString().replace(/[-:]|\.\d{3}/g, ''), 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' };
    for (const authorization of [
      'AWS4-HMAC-SHA256 Credential=x',
      `AWS4-HMAC-SHA256 Credential=${credentials.AccessKeyId}/2020/eu-west-1/s3/aws4_request, SignedHeaders=host, Signature=${'0'.repeat(64)}`,
      `AWS4-HMAC-SHA256 Credential=${credentials.AccessKeyId}/${amz['x-amz-date'].slice(0, 8)}/${stack.stack.region}/s3/aws4_request, SignedHeaders=host, Signature=XYZ`,
    ]) {
      const r = await httpsRequest(url, 'PUT', { authorization, ...amz }, 'overwritten');
      expect({ authorization, status: r.status, code: /<Code>(\w+)<\/Code>/.exec(r.body)?.[1] }).toEqual({ authorization, status: 400, code: 'AuthorizationHeaderMalformed' });
    }
    // Signed correctly, but for another service: the scope is refused before the key is used.
    const u = new URL(url);
    const sqs = new SignatureV4({
      credentials: { accessKeyId: credentials.AccessKeyId!, secretAccessKey: credentials.SecretKey!, sessionToken: credentials.SessionToken },
      region: stack.stack.region,
      service: 'sqs',
      sha256: Sha256,
      uriEscapePath: false,
    });
    const signed = await sqs.sign({ method: 'PUT', protocol: 'https:', hostname: u.hostname, port: Number(u.port), path: u.pathname, query: {}, headers: { host: u.host, 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' } });
    const wrongService = await httpsRequest(url, 'PUT', signed.headers, 'overwritten');
    expect(wrongService.status).toBe(400);
    expect(wrongService.body).toMatch(/<Code>AuthorizationHeaderMalformed<\/Code>.*service &apos;sqs&apos;/);
    expect(readSeed()).toEqual(before);
  });
});

function readSeed(): string {
  return readFileSync(`${stack.dataDir}/s3/${stack.outputs.Storage!.S3.bucket}/o-premium%2Fhandbook%2Emd`, 'utf8');
}

function seedPrivate(key: string): void {
  seedPrivateObject(stack.dataDir, stack.outputs.Storage!.S3.bucket, key);
}

function httpsRequest(url: string, method: string, headers: Record<string, string>, body?: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = https.request(url, { method, headers, ca }, (res) => {
      let body = '';
      res.on('data', (c) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end(body);
  });
}
