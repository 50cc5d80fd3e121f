import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { readFileSync } from 'node:fs';
import * as https from 'node:https';
import type { LookupFunction } from 'node:net';
import type { Browser, Page } from 'playwright-core';
import { loadConfig } from '../config';
import { ObjectStore } from '../local/s3/object-store';
import { stop as stopEsbuild } from 'esbuild';
import { type AppServer, bundleBrowserApp, startAppServer } from './helpers/app-server';
import { launchBrowser } from './helpers/browser';
import { closeStartedStacks, startLocalStack, type TestLocalStack } from './helpers/local-stack';
import { seedPrivateObject, STORAGE_ALLOWED, type StorageCell, type StoragePlace } from './helpers/storage-personas';

/**
 * aws-amplify v6 Storage (uploadData, downloadData, getUrl, list, remove), unmodified, in Debian's
 * Chromium against the local content bucket: each demo persona signs in with signIn(), gets
 * identity-pool credentials with fetchAuthSession(), and reads, writes and lists public/,
 * premium/ and private/ folders exactly where the synthesized policies allow (the same matrix
 * test/local-aws-plane.test.ts checks with S3Client). Amplify addresses the bucket
 * virtual-hosted (https://<bucket>.localhost:<port>/<key>), from the one local-only option
 * `customEndpoint: outputs.local.storageCustomEndpoint`.
 *
 * Chromium here pins the local certificate's key (a throwaway profile has no local CA, and
 * --ignore-certificate-errors-spki-list skips the name check too), so the certificate's
 * `<bucket>.localhost` name is checked by Node's own TLS verification below.
 */

const APP_PAGE = '<!doctype html><meta charset="utf-8"><title>storage app</title><script src="/app.js"></script>';

let stack: TestLocalStack;
let browser: Browser;
let appServer: AppServer | undefined;
let appBundle: string;
let appOrigin: string;

interface App {
  readonly page: Page;
  readonly errors: string[];
  /** Origins the page sent requests to (other than its own). */
  readonly requestOrigins: Set<string>;
}

/**
 * The app in a fresh browser profile, configured. One per persona, as each person has their own
 * browser: in one profile, Chromium's HTTP cache may answer a GET for the same object URL that
 * another persona fetched before (S3 sends Last-Modified and no Cache-Control), without asking
 * the bucket.
 */
async function openApp(): Promise<App> {
  const page = await (await browser.newContext()).newPage();
  const app: App = { page, errors: [], requestOrigins: new Set() };
  page.on('pageerror', (e) => app.errors.push(e.message));
  page.on('request', (r) => {
    const origin = new URL(r.url()).origin;
    if (origin !== appOrigin) app.requestOrigins.add(origin);
  });
  await page.goto(`${appOrigin}/`);
  await page.waitForFunction(() => 'storageApp' in window);
  expect(await page.evaluate(() => (window as any).storageApp.configure())).toBe(stack.outputs.local.storageCustomEndpoint);
  return app;
}

beforeAll(async () => {
  const bundling = bundleBrowserApp('amplify-storage-app.js');
  appServer = await startAppServer({ bundle: () => appBundle, outputs: () => stack.outputs, page: APP_PAGE });
  appOrigin = appServer.origin;
  // The app's origin is admitted as a developer admits theirs (local.allowedOrigins).
  stack = await startLocalStack({ allowedOrigins: [...loadConfig().local.allowedOrigins, appOrigin] });
  appBundle = await bundling;
  await stopEsbuild(); // its service process would keep jest alive
  browser = await launchBrowser(stack);
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await closeStartedStacks();
  await appServer?.close();
});

type Outcome<T> = { ok: T; error?: undefined } | { ok?: undefined; error: string; message?: string };

function callIn<T>(page: Page, op: 'signIn' | 'download' | 'presignedGet' | 'upload' | 'list' | 'remove', ...args: string[]): Promise<Outcome<T>> {
  return page.evaluate(([o, a]) => (window as any).storageApp[o](...a), [op, args] as const);
}

/** 'ok' or the error name aws-amplify surfaced (S3's code, e.g. AccessDenied). */
function verdict(o: Outcome<unknown>): string {
  return o.error === undefined ? 'ok' : o.error;
}

describe('aws-amplify Storage in Chromium, virtual-hosted on <bucket>.localhost', () => {
  type Place = StoragePlace;
  type Cell = StorageCell;
  // The expectation test/local-aws-plane.test.ts checks with S3Client.
  const allowed = STORAGE_ALLOWED;

  test.each(Object.keys(allowed))('%s: downloadData, getUrl, uploadData and list on public/, premium/, own and other private/', async (email) => {
    const app = await openApp();
    const call = <T>(op: Parameters<typeof callIn>[1], ...args: string[]) => callIn<T>(app.page, op, ...args);
    const me = await call<{ isSignedIn: boolean; identityId: string; sub: string }>('signIn', email, stack.userPool.demoPassword);
    expect(me.error).toBeUndefined();
    expect(me.ok!.isSignedIn).toBe(true);
    expect(me.ok!.identityId).toMatch(new RegExp(`^${stack.stack.region}:`));
    const otherSub = stack.userPool.demoUsers.find((u) => u.email === 'editor2@example.com')!.sub;
    // The stack keys private folders on the owner principal tag (the user-pool sub).
    const prefixes: Record<Place, string> = { public: 'public/', premium: 'premium/', own: `private/${me.ok!.sub}/`, other: `private/${otherSub}/` };
    const readKeys: Record<Place, string> = { public: 'public/welcome.md', premium: 'premium/handbook.md', own: `private/${me.ok!.sub}/notes.md`, other: `private/${otherSub}/notes.md` };
    for (const place of ['own', 'other'] as const) seedPrivateObject(stack.dataDir, stack.outputs.Storage!.S3.bucket, readKeys[place]);
    const seen: Record<Place, Cell[]> = { public: [], premium: [], own: [], other: [] };
    for (const place of Object.keys(prefixes) as Place[]) {
      const read = await call<{ text: string }>('download', readKeys[place]);
      if (read.ok) {
        seen[place].push('read');
        expect(read.ok.text).toBe(readFileOf(readKeys[place]));
      } else {
        expect(read.error).toBe('AccessDenied');
      }
      // getUrl's presigned URL (virtual-hosted, signature in the query) reads exactly where downloadData does.
      const presigned = await call<{ host: string; text: string }>('presignedGet', readKeys[place]);
      expect(presigned.ok ? { ok: presigned.ok.text } : { error: presigned.error }).toEqual(read.ok ? { ok: read.ok.text } : { error: 'AccessDenied' });
      if (presigned.ok) expect(presigned.ok.host).toBe(`${stack.outputs.Storage!.S3.bucket}.${stack.outputs.local.storageCustomEndpoint}`);
      const key = `${prefixes[place]}amplify-${Date.now()}.txt`;
      const put = await call<string>('upload', key, `from ${email}`);
      if (put.ok !== undefined) {
        seen[place].push('write');
        expect(put.ok).toBe(key);
        // What was written reads back, then goes.
        expect(await call('download', key)).toEqual({ ok: { text: `from ${email}`, contentType: 'text/plain' } });
        expect(verdict(await call('remove', key))).toBe('ok');
      } else {
        expect(put.error).toBe('AccessDenied');
        expect(new ObjectStore(`${stack.dataDir}/s3`, stack.outputs.Storage!.S3.bucket).read(key)).toBeUndefined();
      }
      const listed = await call<string[]>('list', prefixes[place]);
      if (listed.ok) {
        seen[place].push('list');
        expect(listed.ok).toContain(readKeys[place]);
      } else {
        expect(listed.error).toBe('AccessDenied');
      }
    }
    expect(seen).toEqual(allowed[email]);
    // Storage went to the bucket's virtual host; nothing else but the user pool and identity pool.
    const bucketOrigin = `https://${stack.outputs.Storage!.S3.bucket}.${stack.outputs.local.storageCustomEndpoint}`;
    expect([...app.requestOrigins].sort()).toEqual(
      [bucketOrigin, new URL(stack.outputs.Auth.Cognito.userPoolEndpoint).origin, new URL(stack.outputs.Auth.Cognito.identityPoolEndpoint!).origin].sort(),
    );
    // Amplify's own private/{identityId}/ convention is not this stack's: its folders are by sub.
    expect(verdict(await call('upload', `private/${me.ok!.identityId}/x.txt`, 'x'))).toBe('AccessDenied');
    expect(app.errors).toEqual([]);
    await app.page.context().close();
  }, 90_000);
});

function readFileOf(key: string): string {
  return new ObjectStore(`${stack.dataDir}/s3`, stack.outputs.Storage!.S3.bucket).read(key)!.body.toString('utf8');
}

describe('the virtual host over Node TLS and SigV4', () => {
  /** `<bucket>.localhost` resolves to loopback in browsers by themselves; Node is told so here. */
  const loopback: LookupFunction = (_host, options, cb) => {
    if ((options as { all?: boolean }).all) (cb as unknown as (e: null, a: { address: string; family: number }[]) => void)(null, [{ address: '127.0.0.1', family: 4 }]);
    else cb(null, '127.0.0.1', 4);
  };
  const virtualUrl = (key: string, host = `${stack.outputs.Storage!.S3.bucket}.${stack.outputs.local.storageCustomEndpoint}`) => `https://${host}/${key}`;

  /** GET with Node's own certificate check (against ca.pem, for the URL's name); `host` overrides the Host header only. */
  function get(url: string, host?: string): Promise<{ status: number; body: string }> {
    const servername = new URL(url).hostname;
    return new Promise((resolve, reject) => {
      https
        .get(url, { ca: readFileSync(stack.outputs.local.caFile), lookup: loopback, servername, ...(host && { headers: { host } }) }, (res) => {
          let body = '';
          res.setEncoding('utf8').on('data', (d: string) => (body += d)).on('end', () => resolve({ status: res.statusCode ?? 0, body }));
        })
        .on('error', reject);
    });
  }

  test('the local certificate names <bucket>.localhost (verified against ca.pem); an unsigned request is S3 AccessDenied', async () => {
    const r = await get(virtualUrl('public/welcome.md'));
    expect(r.status).toBe(403);
    // The bucket's own refusal of an anonymous GetObject (not the Host guard's).
    expect(r.body).toMatch(/<Code>AccessDenied<\/Code>/);
    expect(r.body).toContain(`<Resource>/${stack.outputs.Storage!.S3.bucket}/public/welcome.md</Resource>`);
  });

  test('another name under localhost is not in the certificate, and its Host is refused rather than served as the bucket', async () => {
    const other = `other-bucket.${stack.outputs.local.storageCustomEndpoint}`;
    await expect(get(virtualUrl('public/welcome.md', other))).rejects.toThrow(/altnames/i);
    const r = await get(virtualUrl('public/welcome.md'), other);
    expect(r.status).toBe(403);
    expect(r.body).toMatch(/<Message>Host &quot;other-bucket\.localhost:\d+&quot; is not the local S3 endpoint/);
  });

  test('S3Client signs virtual-hosted requests that verify; a tampered signature is refused', async () => {
    const { idToken } = await stack.signIn('subscriber@example.com');
    const { CognitoIdentityClient, GetIdCommand, GetCredentialsForIdentityCommand } = await import('@aws-sdk/client-cognito-identity');
    const agent = new https.Agent({ ca: readFileSync(stack.outputs.local.caFile), lookup: loopback });
    const identity = new CognitoIdentityClient({ endpoint: stack.outputs.Auth.Cognito.identityPoolEndpoint, region: stack.stack.region, requestHandler: { httpsAgent: agent } });
    const Logins = { [`cognito-idp.${stack.stack.region}.amazonaws.com/${stack.outputs.Auth.Cognito.userPoolId}`]: idToken };
    const { IdentityId } = await identity.send(new GetIdCommand({ IdentityPoolId: stack.outputs.Auth.Cognito.identityPoolId, Logins }));
    const { Credentials: c } = await identity.send(new GetCredentialsForIdentityCommand({ IdentityId, Logins }));
    identity.destroy();
    const s3 = new S3Client({
      endpoint: `https://${stack.outputs.local.storageCustomEndpoint}`,
      region: stack.outputs.Storage!.S3.region,
      forcePathStyle: false,
      credentials: { accessKeyId: c!.AccessKeyId!, secretAccessKey: c!.SecretKey!, sessionToken: c!.SessionToken! },
      requestHandler: { httpsAgent: agent },
    });
    const hosts: string[] = [];
    s3.middlewareStack.add((next) => async (args) => {
      hosts.push(String((args.request as { hostname?: string }).hostname));
      return next(args);
    }, { step: 'finalizeRequest', priority: 'low' });
    const Bucket = stack.outputs.Storage!.S3.bucket;
    const got = await s3.send(new GetObjectCommand({ Bucket, Key: 'premium/handbook.md' }));
    expect(await got.Body!.transformToString()).toMatch(/^# Subscriber handbook/);
    expect(hosts).toEqual([`${Bucket}.localhost`]);

    // The same request with one signature digit changed.
    s3.middlewareStack.add((next) => async (args) => {
      const req = args.request as { headers: Record<string, string> };
      req.headers.authorization = req.headers.authorization.replace(/Signature=([0-9a-f])/, (_m, d: string) => `Signature=${d === '0' ? '1' : '0'}`);
      return next(args);
    }, { step: 'finalizeRequest', priority: 'low', name: 'tamper' });
    await expect(s3.send(new GetObjectCommand({ Bucket, Key: 'premium/handbook.md' }))).rejects.toMatchObject({ name: 'SignatureDoesNotMatch' });
    s3.destroy();
  });
});
