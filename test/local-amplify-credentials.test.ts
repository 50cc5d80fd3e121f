import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import * as https from 'node:https';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { startLocalStack, type TestLocalStack, useLocalStack } from './helpers/local-stack';

/**
 * aws-amplify v6, configured only from the local outputs, gets identity-pool credentials from
 * the local identity pool with fetchAuthSession(), and those credentials work against the
 * local content bucket as the stack's role mapping and policies say.
 */

let stack: TestLocalStack;

useLocalStack((started) => (stack = started));

async function amplifySession(email: string) {
  const { stdout } = await promisify(execFile)(process.execPath, [path.join(__dirname, 'helpers', 'amplify-credentials.js')], {
    env: { ...process.env, EMAIL: email, PASSWORD: stack.userPool.demoPassword, AMPLIFY_OUTPUTS: JSON.stringify(stack.outputs) },
    timeout: 60_000,
  }).catch((e: { stdout?: string; stderr?: string }) => {
    throw new Error(`amplify client failed: ${e.stdout ?? ''} ${e.stderr ?? ''}`);
  });
  return JSON.parse(stdout.trim().split('\n').pop()!) as {
    identityId: string;
    sameIdentityAgain: boolean;
    credentials: { accessKeyId: string; secretAccessKey: string; sessionToken: string };
  };
}

function s3For(c: { accessKeyId: string; secretAccessKey: string; sessionToken: string }) {
  return new S3Client({
    endpoint: stack.outputs.local.s3Endpoint,
    region: stack.outputs.Storage!.S3.region,
    forcePathStyle: true,
    // Only the keys: `expiration` crossed the process boundary as a string.
    credentials: { accessKeyId: c.accessKeyId, secretAccessKey: c.secretAccessKey, sessionToken: c.sessionToken },
    requestHandler: { httpsAgent: new https.Agent({ ca: readFileSync(stack.outputs.local.caFile) }) },
  });
}

test('fetchAuthSession() returns identity-pool credentials that read premium/ for a subscriber, not for a reader', async () => {
  const subscriber = await amplifySession('subscriber@example.com');
  expect(subscriber.identityId).toMatch(new RegExp(`^${stack.stack.region}:`));
  expect(subscriber.sameIdentityAgain).toBe(true);
  expect(subscriber.credentials.accessKeyId).toMatch(/^ASIA/);
  const Bucket = stack.outputs.Storage!.S3.bucket;
  const s3 = s3For(subscriber.credentials);
  const got = await s3.send(new GetObjectCommand({ Bucket, Key: 'premium/handbook.md' }));
  expect(await got.Body!.transformToString()).toMatch(/^# Subscriber handbook/);
  s3.destroy();

  const reader = await amplifySession('reader@example.com');
  const r3 = s3For(reader.credentials);
  await expect(r3.send(new GetObjectCommand({ Bucket, Key: 'premium/handbook.md' }))).rejects.toMatchObject({ name: 'AccessDenied' });
  r3.destroy();
});

test('identity ids survive a restart on the same data directory', async () => {
  const before = await amplifySession('editor@example.com');
  const dataDir = stack.dataDir;
  await stack.close();
  stack = await startLocalStack({ dataDir });
  const after = await amplifySession('editor@example.com');
  expect(after.identityId).toBe(before.identityId);
  // Temporary credentials do not survive: the old key is unknown to the restarted plane.
  expect(stack.aws.credentials.lookup(before.credentials.accessKeyId, before.credentials.sessionToken)).toBe('UnknownKey');
}, 180_000);
