import { Sha256 } from '@aws-crypto/sha256-js';
import { CognitoIdentityClient, GetCredentialsForIdentityCommand, GetIdCommand } from '@aws-sdk/client-cognito-identity';
import { SignatureV4 } from '@smithy/signature-v4';
import { type TestLocalStack, useLocalStack } from './helpers/local-stack';

/**
 * IAM (SigV4) callers of the local GraphQL endpoint, signed with the AWS SDK's own signer:
 * the signature is verified before any field runs, the role's synthesized appsync:GraphQL
 * policy decides which top-level fields it may call, and the schema's @aws_iam directives
 * decide the rest, as in AppSync.
 */

let stack: TestLocalStack;

useLocalStack((started) => (stack = started));

interface Creds {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

async function signedPost(creds: Creds, query: string, tamper?: (headers: Record<string, string>) => void) {
  const url = new URL(stack.outputs.API.GraphQL.endpoint);
  const body = JSON.stringify({ query });
  const signer = new SignatureV4({ credentials: creds, region: stack.stack.region, service: 'appsync', sha256: Sha256 });
  const signed = await signer.sign({
    method: 'POST',
    protocol: url.protocol,
    hostname: url.hostname,
    port: Number(url.port),
    path: url.pathname,
    headers: { host: url.host, 'content-type': 'application/json' },
    body,
  });
  const headers = { ...signed.headers } as Record<string, string>;
  tamper?.(headers);
  const res = await fetch(url, { method: 'POST', headers, body });
  return { status: res.status, json: (await res.json()) as { data?: any; errors?: { errorType: string; message: string; path?: unknown[] }[] } };
}

function indexer(): Creds {
  const caller = stack.outputs.local.iamCallers?.find((c) => c.name === 'content-indexer');
  if (!caller) throw new Error(`no content-indexer in local.iamCallers: ${JSON.stringify(stack.outputs.local.iamCallers)}`);
  return caller.credentials;
}

test('the outputs list each IAM caller of the stack with its role and credentials', () => {
  expect(stack.outputs.local.iamCallers?.map((c) => [c.name, c.roleArn.split('/').pop()])).toEqual([['content-indexer', 'content-dev-caller-content-indexer']]);
});

test('a granted field open to @aws_iam answers; a gated nested field is denied', async () => {
  const open = await signedPost(indexer(), '{ articles(limit: 2) { items { id title } } }');
  expect(open.status).toBe(200);
  expect(open.json.errors).toBeUndefined();
  expect(open.json.data.articles.items.length).toBeGreaterThan(0);
  const gated = await signedPost(indexer(), '{ articles(limit: 1) { items { id body } } }');
  expect(gated.json.errors?.[0]).toMatchObject({ errorType: 'Unauthorized', message: 'Not Authorized to access body on type Article' });
});

test('fields the policy does not grant, or closed to @aws_iam, are Unauthorized', async () => {
  const me = await signedPost(indexer(), '{ me { username } }');
  expect(me.json.errors?.[0]).toMatchObject({ errorType: 'Unauthorized', message: 'Not Authorized to access me on type Query' });
  const drafts = await signedPost(indexer(), '{ drafts { items { id } } }');
  expect(drafts.json.errors?.[0]).toMatchObject({ errorType: 'Unauthorized', message: 'Not Authorized to access drafts on type Query' });
});

test('a tampered signature or an unknown key is refused before any field runs', async () => {
  const tampered = await signedPost(indexer(), '{ articles { items { id } } }', (h) => {
    h.authorization = h.authorization.replace(/Signature=(.)/, (_m, c: string) => `Signature=${c === 'a' ? 'b' : 'a'}`);
  });
  expect(tampered.status).toBe(403);
  expect(tampered.json).toEqual({ errors: [expect.objectContaining({ errorType: 'InvalidSignatureException' })] });
  const unknown = await signedPost({ accessKeyId: 'ASIAAAAAAAAAAAAAAAAA', secretAccessKey: 'x', sessionToken: 'y' }, '{ articles { items { id } } }');
  expect(unknown.status).toBe(403);
  expect(unknown.json.errors?.[0].errorType).toBe('UnrecognizedClientException');
});

test('a malformed SigV4 header is refused with 403 before any field runs', async () => {
  const res = await fetch(stack.outputs.API.GraphQL.endpoint, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'x-amz-date': '20260101T000000Z',
      authorization: 'AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20260101/eu-west-1/appsync/aws4_request, SignedHeaders=host;x-amz-date, Signature=0',
    },
    body: JSON.stringify({ query: '{ articles { items { id } } }' }),
  });
  expect(res.status).toBe(403);
  expect(await res.json()).toEqual({ errors: [expect.objectContaining({ errorType: 'IncompleteSignatureException' })] });
});

test('identity-pool credentials whose role has no appsync:GraphQL grant are refused', async () => {
  const identity = new CognitoIdentityClient({ endpoint: stack.outputs.Auth.Cognito.identityPoolEndpoint, region: stack.stack.region });
  const { idToken } = await stack.signIn('subscriber@example.com');
  const Logins = { [`cognito-idp.${stack.stack.region}.amazonaws.com/${stack.outputs.Auth.Cognito.userPoolId}`]: idToken };
  const { IdentityId } = await identity.send(new GetIdCommand({ IdentityPoolId: stack.outputs.Auth.Cognito.identityPoolId, Logins }));
  const { Credentials } = await identity.send(new GetCredentialsForIdentityCommand({ IdentityId, Logins }));
  identity.destroy();
  const r = await signedPost({ accessKeyId: Credentials!.AccessKeyId!, secretAccessKey: Credentials!.SecretKey!, sessionToken: Credentials!.SessionToken }, '{ articles { items { id } } }');
  expect(r.status).toBe(401);
  expect(r.json.errors?.[0].errorType).toBe('UnauthorizedException');
});
