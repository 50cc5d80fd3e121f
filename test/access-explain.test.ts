import { join } from 'node:path';
import { explain, renderExplanation } from '../access/explain';
import { runExplain } from '../access/explain-cli';
import { subjectFromDemoUser, subjectFromFederation, subjectFromGroups, subjectFromToken } from '../access/explain-subject';
import { projectAuthModel } from '../access/project-access';
import { loadConfig, ResolvedConfig } from '../config';
import { repoPath } from '../config/paths';
import { readStackIam } from '../local/iam/stack-iam';
import { synthesizeLocalStack } from './helpers/local-stack';
import { fixtureConfig, indexer } from './fixtures/access/fixture-config';

// Table-driven: each row names a mapping, a user, and the role/storage/fields expected from
// the rules in appsync-cognito-semantics.md and the fixture config (written by hand).
const base: ResolvedConfig = fixtureConfig({
  groups: [
    { name: 'admins', description: 'a', precedence: 1 },
    { name: 'editors', description: 'e', precedence: 2 },
    { name: 'subscribers', description: 's', precedence: 3 },
  ],
  storage: {
    rules: [
      { prefix: 'public/', read: 'authenticated' },
      { prefix: 'premium/', read: { groups: ['subscribers', 'editors'] }, write: { groups: ['editors'] } },
    ],
  },
  api: { iamCallers: [indexer('Query.posts')] },
  identityProviders: {
    saml: [{ name: 'CorpSAML', metadataUrl: 'https://idp.example.com/m', groupsAttribute: 'urn:g', groupMapping: { 'content-editors': 'editors', 'content-readers': 'subscribers' } }],
    oidc: [
      { name: 'PartnerOIDC', issuer: 'https://login.partner.example.net', clientId: 'c', groupsClaim: 'groups', groupMapping: { 'partner-writers': 'editors' } },
      { name: 'NoGroupsOIDC', issuer: 'https://login.other.example.net', clientId: 'd' },
    ],
  },
  local: { demoUsers: [{ email: 'ed@example.com', groups: ['editors'] }, { email: 'nobody@example.com' }] },
});
const tied: ResolvedConfig = {
  ...base,
  groups: [
    { name: 'admins', description: 'a', precedence: 1 },
    { name: 'editors', description: 'e', precedence: 2 },
    { name: 'subscribers', description: 's', precedence: 2 },
  ],
};
const withMapping = (c: ResolvedConfig, roleMapping: 'rules' | 'token', ambiguousRoleResolution: 'AuthenticatedRole' | 'Deny' = 'AuthenticatedRole'): ResolvedConfig => ({
  ...c,
  identityPool: { ...c.identityPool, roleMapping, ambiguousRoleResolution },
});
const model = projectAuthModel(base, join(__dirname, 'fixtures', 'access', 'clean.graphql'));
const explainGroups = (config: ResolvedConfig, groups: string) => explain(model, config, subjectFromGroups(groups));

describe.each([
  // mapping, ambiguous, groups, role, read, write
  ['rules', 'AuthenticatedRole', 'subscribers', 'subscribers role', 'public/, premium/', ''],
  ['rules', 'AuthenticatedRole', 'subscribers,editors', 'editors role', 'public/, premium/', 'premium/'],
  ['rules', 'AuthenticatedRole', '', 'default authenticated role', 'public/', ''],
  ['rules', 'Deny', '', 'no credentials', '', ''],
  ['token', 'AuthenticatedRole', 'subscribers,admins', 'admins role', 'public/', ''],
  ['token', 'Deny', '', 'no credentials', '', ''],
] as const)('%s mapping, ambiguous %s, groups "%s"', (mapping, ambiguous, groups, role, read, write) => {
  const e = explainGroups(withMapping(base, mapping, ambiguous), groups);
  it(`gets the ${role}`, () => expect(e.role.name).toBe(role));
  it(`reads [${read}] and writes [${write}]`, () => {
    expect(e.storage.read.join(', ')).toBe(read);
    expect(e.storage.write.join(', ')).toBe(write);
  });
});

describe('equal precedence', () => {
  it('token mapping: no preferred role, ambiguous resolution decides', () => {
    const e = explainGroups(withMapping(tied, 'token', 'Deny'), 'editors,subscribers');
    expect(e.role.name).toBe('no credentials');
    expect(renderExplanation(e)).toContain('groups editors, subscribers share precedence 2 with different roles');
  });
  it('rules mapping: the rule listed first wins', () => {
    expect(explainGroups(withMapping(tied, 'rules', 'Deny'), 'subscribers,editors').role.name).toBe('editors role');
  });
});

describe('GraphQL fields', () => {
  it('lists what a group member can call and read, and what comes back null', () => {
    const e = explainGroups(base, 'editors');
    expect(e.call.map((f) => f.field)).toEqual(['Query.posts', 'Mutation.publish', 'Subscription.onPublish']);
    expect(e.read.map((f) => f.field)).toEqual(['Post.id', 'Post.title', 'Post.body', 'Published.id']);
    expect(e.deniedReads).toEqual([]);
  });
  it('shows a signed-in user without group the gated field as denied, with the directive', () => {
    const e = explainGroups(base, '');
    expect(e.call.map((f) => f.field)).toEqual(['Query.posts', 'Subscription.onPublish']);
    expect(e.deniedReads.map((f) => `${f.field}: ${f.reason}`)).toEqual([
      'Post.body: field directive @aws_cognito_user_pools(cognito_groups: [editors, admins]): caller in none of the groups [editors, admins]',
    ]);
  });
  it('names groups the config does not have', () => {
    expect(renderExplanation(explainGroups(base, 'editor'))).toContain('Not configured groups (grant nothing): editor');
  });
});

describe('subjects', () => {
  const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
  it('--token reads cognito:groups without trusting it, and says so', () => {
    const jwt = `${b64({ alg: 'RS256', kid: 'k' })}.${b64({ 'cognito:groups': ['editors'], 'cognito:username': 'ed', token_use: 'id' })}.c2ln`;
    const s = subjectFromToken(jwt);
    expect(s.groups).toEqual(['editors']);
    expect(s.notes[0]).toContain('WITHOUT verifying its signature');
  });
  it('--token refuses a value that is not a JWT and a malformed groups claim', () => {
    expect(() => subjectFromToken('not-a-jwt')).toThrow(/^--token: not a JWT/);
    const bad = `${b64({ alg: 'RS256' })}.${b64({ 'cognito:groups': 'admins' })}.c2ln`;
    expect(() => subjectFromToken(bad)).toThrow('--token: cognito:groups = "admins": expected a list of group names');
  });
  it('--user takes the demo user groups and names the known users when unknown', () => {
    expect(subjectFromDemoUser(base, 'ED@example.com').groups).toEqual(['editors']);
    expect(subjectFromDemoUser(base, 'nobody@example.com').groups).toEqual([]);
    expect(() => subjectFromDemoUser(base, 'x@example.com')).toThrow('have: ed@example.com, nobody@example.com');
  });
  it('--idp maps IdP groups through the allow-list of the pre-token trigger', () => {
    const s = subjectFromFederation(base, 'CorpSAML', 'content-editors,wheel,constructor');
    expect(s.groups).toEqual(['editors']);
    expect(s.notes.join('\n')).toContain('IdP groups not in the allow-list are ignored: wheel, constructor');
    const e = explain(model, base, s);
    expect(e.role.name).toBe('editors role');
    expect(e.storage.write).toEqual(['premium/']);
  });
  it('--idp with no mapped group: the default authenticated role', () => {
    expect(explain(model, base, subjectFromFederation(base, 'CorpSAML', 'wheel')).role.name).toBe('default authenticated role');
  });
  it('--idp refuses an unknown provider', () => {
    expect(() => subjectFromFederation(base, 'Okta', 'a')).toThrow(
      '--idp Okta: not an IdP of config/project.ts whose groups map (identityProviders.saml, or identityProviders.oidc with a groupsClaim; have: CorpSAML, PartnerOIDC)',
    );
    expect(() => subjectFromFederation(base, 'NoGroupsOIDC', 'a')).toThrow('--idp NoGroupsOIDC: not an IdP');
  });
  it('--idp maps an OIDC IdP\'s groups claim through its allow-list too', () => {
    const s = subjectFromFederation(base, 'PartnerOIDC', 'partner-writers,content-editors');
    expect(s.groups).toEqual(['editors']);
    expect(s.notes.join('\n')).toContain('identityProviders.oidc "PartnerOIDC" groupMapping: editors');
    expect(s.notes.join('\n')).toContain('ignored: content-editors');
  });
});

describe('runExplain on the project', () => {
  it('explains a demo user of the project config, with the storage decisions evaluated from the synthesized policies', async () => {
    const stack = { iam: readStackIam(synthesizeLocalStack()), name: 'dev' };
    const text = await runExplain(['--user', 'subscriber@example.com'], loadConfig(), repoPath('schema.graphql'), stack);
    expect(text).toContain('Caller: demo user subscriber@example.com');
    expect(text).toContain('=> subscribers role');
    expect(text).toMatch(/Fields that come back null with Unauthorized:\n {2}Article\.reviewNotes/);
    expect(text).toContain("Storage decisions, evaluated from stack dev's policies (role content-dev-group-subscribers):");
    expect(text).toMatch(/ {2}premium\/\n {4}read {2}✓ allowed by content-dev-group-subscribers\/\S+ statement ReadObjects\n {4}write ✗ implicitly denied: no statement allows it\n/);
  });
  it('names the denying statement and the config\'s intent when a policy disagrees', async () => {
    const iam = readStackIam(synthesizeLocalStack());
    const denied = {
      ...iam,
      roles: iam.roles.map((r) =>
        r.name.endsWith('group-subscribers')
          ? { ...r, policies: [...r.policies, { name: `${r.name}/extra`, document: { Statement: [{ Sid: 'NoPremium', Effect: 'Deny', Action: 's3:GetObject', Resource: `${iam.bucket!.arn}/premium/*` }] } }] }
          : r,
      ),
    };
    const text = await runExplain(['--groups', 'subscribers'], loadConfig(), repoPath('schema.graphql'), { iam: denied, name: 'dev' });
    expect(text).toContain('read  ✗ explicitly denied by content-dev-group-subscribers/extra statement NoPremium  (config storage.rules says allowed)');
  });
  it('refuses several subjects at once', async () => {
    await expect(runExplain(['--groups', 'a', '--user', 'b'])).rejects.toThrow('give exactly one of --groups, --token, --user, --idp');
  });
});
