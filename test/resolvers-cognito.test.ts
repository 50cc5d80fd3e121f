/**
 * The group-membership resolvers (`cognito` HTTP data source) bundled as synth uploads them and
 * run by the local APPSYNC_JS runtime against a tiny local stand-in for the user-pool JSON API
 * that records each call (X-Amz-Target, body, SigV4 Authorization) and answers like Cognito.
 */
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { closeServer, listen } from '../local/server-lifecycle';
import { startResolverHarness, USER_POOL_ID, userPoolCaller } from './helpers/resolver-harness';
import type { ResolverHarness } from './helpers/resolver-harness';

interface RecordedCall {
  target: string;
  body: Record<string, unknown>;
  authorization: string;
  contentType: string;
  path: string;
}

const admin = userPoolCaller('admin', ['admins']);
const calls: RecordedCall[] = [];
let server: Server;
let h: ResolverHarness;

/** Answers the five actions the resolvers use; `ghost` is a user that does not exist. */
function answer(target: string, body: Record<string, unknown>): [number, unknown] {
  if (body.Username === 'ghost') return [400, { __type: 'UserNotFoundException', message: 'User does not exist.' }];
  switch (target) {
    case 'AWSCognitoIdentityProviderService.ListUsersInGroup':
      return [200, { Users: [{ Username: 'ann', Attributes: [{ Name: 'email', Value: 'ann@example.com' }] }, { Username: 'bob', Attributes: [] }] }];
    case 'AWSCognitoIdentityProviderService.AdminListGroupsForUser':
      return [200, { Groups: [{ GroupName: 'editors' }, { GroupName: 'subscribers' }] }];
    case 'AWSCognitoIdentityProviderService.AdminAddUserToGroup':
    case 'AWSCognitoIdentityProviderService.AdminRemoveUserFromGroup':
      return [200, {}];
    case 'AWSCognitoIdentityProviderService.AdminGetUser':
      return [200, { Username: body.Username, UserAttributes: [{ Name: 'email', Value: `${String(body.Username)}@example.com` }] }];
    default:
      return [400, { __type: 'com.amazonaws.cognito#UnknownOperationException', message: `unknown ${target}` }];
  }
}

function handle(req: IncomingMessage, res: ServerResponse): void {
  let raw = '';
  req.on('data', (chunk: Buffer) => (raw += chunk.toString('utf8')));
  req.on('end', () => {
    const body = JSON.parse(raw || '{}') as Record<string, unknown>;
    const target = String(req.headers['x-amz-target'] ?? '');
    calls.push({
      target: target.replace('AWSCognitoIdentityProviderService.', ''),
      body,
      authorization: String(req.headers.authorization ?? ''),
      contentType: String(req.headers['content-type'] ?? ''),
      path: req.url ?? '',
    });
    const [status, payload] = answer(target, body);
    res.writeHead(status, { 'content-type': 'application/x-amz-json-1.1' }).end(JSON.stringify(payload));
  });
}

beforeAll(async () => {
  server = createServer(handle);
  const port = await listen(server, 0, '127.0.0.1');
  h = await startResolverHarness({ cognitoEndpoint: `http://127.0.0.1:${port}`, tableName: 'articles-cognito' });
});

afterAll(async () => {
  await h?.close();
  if (server) await closeServer(server);
});

beforeEach(() => {
  calls.length = 0;
});

test('groupMembers lists a configured group with a SigV4-signed ListUsersInGroup call', async () => {
  const out = await h.call('Query.groupMembers', admin, { group: 'editors' });
  expect(out).toEqual({ data: [{ username: 'ann', email: 'ann@example.com' }, { username: 'bob', email: null }], errors: [] });
  expect(calls).toHaveLength(1);
  const [call] = calls;
  expect(call).toMatchObject({
    target: 'ListUsersInGroup',
    body: { GroupName: 'editors', UserPoolId: USER_POOL_ID, Limit: 60 },
    contentType: 'application/x-amz-json-1.1',
    path: '/',
  });
  // Signed for the deployed endpoint's service and region (the data source's SigV4 config).
  expect(call.authorization).toMatch(/^AWS4-HMAC-SHA256 Credential=local\/\d{8}\/eu-west-1\/cognito-idp\/aws4_request, SignedHeaders=[^,]*x-amz-target[^,]*, Signature=[0-9a-f]{64}$/);
});

test.each([
  ['Query.groupMembers', { group: 'root' }],
  ['Mutation.addUserToGroup', { username: 'ann', group: 'root' }],
  ['Mutation.removeUserFromGroup', { username: 'ann', group: 'Admins' }],
])('%s refuses a group not in the config (BadRequest) without calling Cognito', async (field, args) => {
  const out = await h.call(field, admin, args);
  expect(out.data).toBeNull();
  expect(out.errors).toHaveLength(1);
  expect(out.errors[0]).toMatchObject({ errorType: 'BadRequest', message: expect.stringContaining(`"${args.group}" is not a configured group`) });
  expect(calls).toEqual([]);
});

test('Member.groups reads the member\'s groups with AdminListGroupsForUser', async () => {
  const out = await h.call('Member.groups', admin, {}, { username: 'ann', email: 'ann@example.com' });
  expect(out).toEqual({ data: ['editors', 'subscribers'], errors: [] });
  expect(calls.map((c) => [c.target, c.body])).toEqual([['AdminListGroupsForUser', { Username: 'ann', Limit: 60, UserPoolId: USER_POOL_ID }]]);
});

test('addUserToGroup adds, then answers with the user from AdminGetUser', async () => {
  const out = await h.call('Mutation.addUserToGroup', admin, { username: 'ann', group: 'subscribers' });
  expect(out).toEqual({ data: { username: 'ann', email: 'ann@example.com' }, errors: [] });
  expect(calls.map((c) => [c.target, c.body])).toEqual([
    ['AdminAddUserToGroup', { Username: 'ann', GroupName: 'subscribers', UserPoolId: USER_POOL_ID }],
    ['AdminGetUser', { Username: 'ann', UserPoolId: USER_POOL_ID }],
  ]);
  expect(calls.every((c) => c.authorization.startsWith('AWS4-HMAC-SHA256 '))).toBe(true);
});

test('removeUserFromGroup removes, then answers with the user', async () => {
  const out = await h.call('Mutation.removeUserFromGroup', admin, { username: 'bob', group: 'editors' });
  expect(out).toEqual({ data: { username: 'bob', email: 'bob@example.com' }, errors: [] });
  expect(calls.map((c) => c.target)).toEqual(['AdminRemoveUserFromGroup', 'AdminGetUser']);
});

test("a Cognito error becomes the field error with Cognito's type and message; the pipeline stops", async () => {
  const out = await h.call('Mutation.addUserToGroup', admin, { username: 'ghost', group: 'editors' });
  expect(out.data).toBeNull();
  expect(out.errors).toEqual([{ message: 'User does not exist.', errorType: 'UserNotFoundException', data: null, errorInfo: { statusCode: 400 } }]);
  expect(calls.map((c) => c.target)).toEqual(['AdminAddUserToGroup']);
});
