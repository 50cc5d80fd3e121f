import { existsSync } from 'node:fs';
import { UserFacingError } from './errors';
import { CONTROL_IDS } from './control-ids';
import { DEFAULTS } from './defaults';
import { repoPath } from './paths';
import { DEMO_SIGN_INS } from './types';
import type {
  ApiConfig,
  EnvironmentConfig,
  ExistingPoolConfig,
  IdentityProvidersConfig,
  LocalModeConfig,
  OidcProviderConfig,
  ProjectConfig,
  SocialProviderName,
  SocialAdmissionConfig,
  StorageAudience,
  StorageRule,
  UserPoolConfig,
  WebClientConfig,
} from './types';

/**
 * A config value that cannot be used. The message names the file, the key path, the bad
 * value and what was expected, e.g.
 * `config/project.ts: storage.rules[1].read.groups[0] = "editor": expected one of the groups admins, editors, subscribers`.
 */
export class ConfigError extends UserFacingError {
  constructor(
    readonly source: string,
    readonly key: string,
    readonly value: unknown,
    readonly expected: string,
  ) {
    super({ location: `${source}: ${key} = ${JSON.stringify(value)}`, problem: `expected ${expected}` });
  }
}

/** Throws the ConfigError for one key; bound to the config's source file. */
type Fail = (key: string, value: unknown, expected: string) => never;

const PROJECT_NAME = /^[a-z][a-z0-9-]{2,19}$/;
const REGION = /^[a-z]{2}(-[a-z]+)+-\d$/;
const GROUP_NAME = /^[\w+=,.@-]{1,128}$/;
const MAX_PRECEDENCE = 2147483647;
const ENV_NAME = /^[a-z][a-z0-9]{0,15}$/;
// Cognito: lowercase letters, digits and hyphens, no leading/trailing hyphen, 1-63 characters.
const DOMAIN_PREFIX = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
const RESERVED_IN_DOMAIN_PREFIX = ['aws', 'amazon', 'cognito'];
const HOSTNAME = /^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;
const SAML_NAME = /^[\w-]{3,32}$/;
const RESERVED_PROVIDER_NAMES = ['cognito', 'google', 'facebook', 'loginwithamazon', 'signinwithapple'];
const CALLER_NAME = /^[a-z0-9-]{1,32}$/;
const SERVICE_PRINCIPAL = /^[a-z0-9.-]+\.amazonaws\.com$/;
const FIELD_REF = /^[_A-Za-z][_0-9A-Za-z]*\.[_A-Za-z][_0-9A-Za-z]*$/;
const RESOURCE_SERVER_ID = /^[\x21\x23-\x5B\x5D-\x7E]{1,256}$/;
const SCOPE_NAME = /^[\x21\x23-\x2E\x30-\x5B\x5D-\x7E]{1,256}$/;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const BUCKET_NAME = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
const PREFIX = /^[A-Za-z0-9!_.'()/{}-]+$/; // no * or ?: they would be IAM wildcards
const LOCALHOST_URL = /^http:\/\/localhost(:\d{1,5})?(\/|$)/;
const OWNER = '{owner}';

/**
 * Throws a ConfigError for the first bad value, before any construct exists (so a bad
 * config never touches cdktf.out). The rules mirror the limits documented in types.ts.
 */
export function validateConfig(raw: ProjectConfig, source: string): void {
  const fail: Fail = (key, value, expected) => {
    throw new ConfigError(source, key, value, expected);
  };
  if (!PROJECT_NAME.test(raw.name)) fail('name', raw.name, '3-20 lowercase letters, digits or "-", starting with a letter');
  if (!REGION.test(raw.region)) fail('region', raw.region, 'an AWS region such as "eu-west-1"');

  const groups = checkGroups(raw, fail);
  const groupCheck = (key: string, value: string): void => {
    if (!groups.includes(value)) fail(key, value, `one of the groups ${groups.join(', ')}`);
  };
  checkUserPool(raw.userPool ?? {}, fail);
  checkResourceServer(raw, fail);
  checkIdentityProviders(raw.identityProviders ?? {}, fail, groupCheck);
  checkSocialAdmission(raw, fail);
  checkIdentityPool(raw, fail, groupCheck);
  checkStorage(raw.storage?.rules, fail, groupCheck);
  checkApi(raw.api ?? {}, fail, groupCheck);
  checkEnvironments(raw.environments, fail);
  checkExistingPools(raw, fail, groupCheck);
  checkLocal(raw.local, Object.keys(raw.environments ?? {}), fail, groupCheck);
  checkFederatedUsers(raw, fail);
}

/** Local IdP users: a configured provider, an address, groups only where an IdP asserts them. */
function checkFederatedUsers(raw: ProjectConfig, fail: Fail): void {
  const users = raw.local?.federatedUsers ?? [];
  const saml = (raw.identityProviders?.saml ?? []).map((s) => s.name);
  const providers = [...(raw.identityProviders?.google ? ['Google'] : []), ...saml];
  users.forEach((u, i) => {
    if (!providers.includes(u.idp)) fail(`local.federatedUsers[${i}].idp`, u.idp, `one of the configured identity providers (${providers.join(', ') || 'none'})`);
    if (typeof u.email !== 'string' || !EMAIL.test(u.email)) fail(`local.federatedUsers[${i}].email`, u.email, 'an email address');
    if (u.name !== undefined && (typeof u.name !== 'string' || u.name.trim() === '')) fail(`local.federatedUsers[${i}].name`, u.name, 'a non-empty display name');
    const groups = u.idpGroups ?? [];
    if (!Array.isArray(groups) || groups.some((g) => typeof g !== 'string' || g.trim() === '' || /[,\[\]]/.test(g))) {
      fail(`local.federatedUsers[${i}].idpGroups`, groups, 'a list of IdP group names (non-empty, without commas or brackets)');
    }
    if (groups.length > 0 && !saml.includes(u.idp)) fail(`local.federatedUsers[${i}].idpGroups`, groups, `[] for ${u.idp} (only SAML IdPs assert groups)`);
  });
  checkUnique(fail, users.map((u) => `${u.idp}/${String(u.email).toLowerCase()}`), (i) => `local.federatedUsers[${i}].email`, 'email per provider');
}

/** An integer in [min, max], or a ConfigError naming the range. */
function checkInt(fail: Fail, key: string, value: number | undefined, min: number, max: number): void {
  if (value === undefined) return;
  if (!Number.isInteger(value) || value < min || value > max) fail(key, value, `an integer from ${min} to ${max}`);
}

function checkNonEmpty(fail: Fail, key: string, value: unknown): void {
  if (typeof value !== 'string' || value.trim() === '') fail(key, value, 'a non-empty string');
}

function checkUnique<T>(fail: Fail, items: readonly T[], keyOf: (i: number) => string, what: string): void {
  const seen = new Set<T>();
  items.forEach((item, i) => {
    if (seen.has(item)) fail(keyOf(i), item, `a ${what} not used earlier in the list`);
    seen.add(item);
  });
}

function checkGroups(raw: ProjectConfig, fail: Fail): string[] {
  if (!Array.isArray(raw.groups) || raw.groups.length === 0) fail('groups', raw.groups, 'at least one group');
  raw.groups.forEach((g, i) => {
    if (!GROUP_NAME.test(g.name)) fail(`groups[${i}].name`, g.name, '1-128 letters, digits or _+=,.@-');
    checkNonEmpty(fail, `groups[${i}].description`, g.description);
    if (!Number.isInteger(g.precedence) || g.precedence < 0 || g.precedence > MAX_PRECEDENCE) {
      fail(`groups[${i}].precedence`, g.precedence, `an integer from 0 to ${MAX_PRECEDENCE}`);
    }
  });
  const names = raw.groups.map((g) => g.name);
  checkUnique(fail, names, (i) => `groups[${i}].name`, 'group name');
  checkUnique(fail, raw.groups.map((g) => g.precedence), (i) => `groups[${i}].precedence`, 'precedence');
  return names;
}

function checkUserPool(p: UserPoolConfig, fail: Fail): void {
  checkInt(fail, 'userPool.passwordMinLength', p.passwordMinLength, 12, 99);
  checkInt(fail, 'userPool.temporaryPasswordValidityDays', p.temporaryPasswordValidityDays, 1, 365);
  if (p.verificationSubject !== undefined) checkNonEmpty(fail, 'userPool.verificationSubject', p.verificationSubject);
  if (p.verificationMessage !== undefined && !p.verificationMessage.includes('{####}')) {
    fail('userPool.verificationMessage', p.verificationMessage, 'a message containing the code placeholder {####}');
  }
  if (p.ses) {
    if (!/^arn:aws[a-z-]*:ses:[a-z0-9-]+:\d{12}:identity\/.+$/.test(p.ses.sourceArn)) {
      fail('userPool.ses.sourceArn', p.ses.sourceArn, 'an SES identity ARN (arn:aws:ses:<region>:<account>:identity/<identity>)');
    }
    if (!EMAIL.test(p.ses.fromAddress)) fail('userPool.ses.fromAddress', p.ses.fromAddress, 'an email address');
  }
}

function checkResourceServer(raw: ProjectConfig, fail: Fail): void {
  const rs = raw.resourceServer ?? {};
  if (rs.identifier !== undefined && !RESOURCE_SERVER_ID.test(rs.identifier)) {
    fail('resourceServer.identifier', rs.identifier, 'printable characters without spaces, quotes or backslashes');
  }
  if (rs.scopes !== undefined) {
    if (Object.keys(rs.scopes).length === 0) fail('resourceServer.scopes', rs.scopes, 'at least one scope');
    for (const name of Object.keys(rs.scopes)) {
      if (!SCOPE_NAME.test(name)) fail(`resourceServer.scopes.${name}`, name, 'a scope name without spaces, quotes, "/" or backslashes');
    }
  }
}

function checkIdentityProviders(idps: IdentityProvidersConfig, fail: Fail, groupCheck: (k: string, v: string) => void): void {
  if (idps.google) checkNonEmpty(fail, 'identityProviders.google.clientId', idps.google.clientId);
  const saml = idps.saml ?? [];
  saml.forEach((s, i) => {
    const key = `identityProviders.saml[${i}]`;
    checkProviderName(fail, `${key}.name`, s.name);
    const hasUrl = s.metadataUrl !== undefined;
    const hasFile = s.metadataFile !== undefined;
    if (hasUrl === hasFile) {
      fail(key, { metadataUrl: s.metadataUrl, metadataFile: s.metadataFile }, 'exactly one of metadataUrl and metadataFile');
    }
    if (hasUrl && !/^https:\/\/[^\s/]+/.test(s.metadataUrl)) fail(`${key}.metadataUrl`, s.metadataUrl, 'an https:// URL');
    if (hasFile && !existsSync(repoPath(s.metadataFile))) {
      fail(`${key}.metadataFile`, s.metadataFile, 'an existing file, relative to the repository root');
    }
    checkNonEmpty(fail, `${key}.groupsAttribute`, s.groupsAttribute);
    for (const [idpGroup, group] of Object.entries(s.groupMapping ?? {})) {
      groupCheck(`${key}.groupMapping["${idpGroup}"]`, group);
    }
    checkIdentifiers(fail, key, s.identifiers);
  });
  const oidc = idps.oidc ?? [];
  oidc.forEach((o, i) => checkOidcProvider(fail, `identityProviders.oidc[${i}]`, o, groupCheck));
  checkSocialProviders(idps, fail);
  const names = [...saml.map((s, i) => ({ n: s.name, key: `identityProviders.saml[${i}].name` })), ...oidc.map((o, i) => ({ n: o.name, key: `identityProviders.oidc[${i}].name` }))];
  checkUnique(fail, names.map((x) => String(x.n).toLowerCase()), (i) => names[i].key, 'provider name (SAML and OIDC names share one namespace)');
  const identifiers = [...saml.map((s, i) => ({ list: s.identifiers, at: `saml[${i}]` })), ...oidc.map((o, i) => ({ list: o.identifiers, at: `oidc[${i}]` }))].flatMap(({ list, at }) =>
    (list ?? []).map((d, j) => ({ d, key: `identityProviders.${at}.identifiers[${j}]` })),
  );
  checkUnique(fail, identifiers.map((x) => x.d), (i) => identifiers[i].key, 'domain (each routes to one IdP)');
}

/** A provider name Cognito accepts for a SAML or OIDC IdP. */
function checkProviderName(fail: Fail, key: string, name: unknown): void {
  if (typeof name !== 'string' || !SAML_NAME.test(name) || RESERVED_PROVIDER_NAMES.includes(name.toLowerCase())) {
    fail(key, name, '3-32 letters, digits, "_" or "-", not a built-in provider name (Cognito, Google, ...)');
  }
}

/** Every email domain of an IdP's `identifiers`. */
function checkIdentifiers(fail: Fail, key: string, identifiers: readonly string[] | undefined): void {
  (identifiers ?? []).forEach((d, j) => {
    if (!HOSTNAME.test(d)) fail(`${key}.identifiers[${j}]`, d, 'an email domain such as "corp.example.com"');
  });
}

/** Claim or attribute names in a mapping: non-empty strings. */
function checkAttributeMapping(fail: Fail, key: string, mapping: Readonly<Record<string, string>> | undefined): void {
  for (const [attr, claim] of Object.entries(mapping ?? {})) {
    if (typeof claim !== 'string' || claim.trim() === '') fail(`${key}.attributeMapping.${attr}`, claim, 'the IdP claim or attribute name (a non-empty string)');
  }
}

/** An OIDC IdP: https issuer, client id, openid scope, GET/POST, a groups claim before any group mapping. */
function checkOidcProvider(fail: Fail, key: string, o: OidcProviderConfig, groupCheck: (k: string, v: string) => void): void {
  checkProviderName(fail, `${key}.name`, o.name);
  let issuer: URL | undefined;
  try {
    issuer = new URL(o.issuer);
  } catch {
    issuer = undefined;
  }
  if (!issuer || issuer.protocol !== 'https:' || issuer.search || issuer.hash) fail(`${key}.issuer`, o.issuer, 'an https:// issuer URL without query or fragment, as the ID tokens carry it in "iss"');
  checkNonEmpty(fail, `${key}.clientId`, o.clientId);
  if (o.scopes !== undefined && (typeof o.scopes !== 'string' || !o.scopes.split(' ').includes('openid'))) {
    fail(`${key}.scopes`, o.scopes, 'space-separated scopes including "openid"');
  }
  if (o.attributesRequestMethod !== undefined && !['GET', 'POST'].includes(o.attributesRequestMethod)) {
    fail(`${key}.attributesRequestMethod`, o.attributesRequestMethod, '"GET" or "POST"');
  }
  checkAttributeMapping(fail, key, o.attributeMapping);
  if (o.groupsClaim !== undefined) checkNonEmpty(fail, `${key}.groupsClaim`, o.groupsClaim);
  const mapping = Object.entries(o.groupMapping ?? {});
  if (mapping.length > 0 && o.groupsClaim === undefined) fail(`${key}.groupsClaim`, undefined, 'the claim that carries the IdP groups, since groupMapping maps them');
  for (const [idpGroup, group] of mapping) groupCheck(`${key}.groupMapping["${idpGroup}"]`, group);
  checkIdentifiers(fail, key, o.identifiers);
}

/** Facebook, Apple and Amazon: their public ids (secrets are Terraform variables). */
function checkSocialProviders(idps: IdentityProvidersConfig, fail: Fail): void {
  const key = 'identityProviders';
  if (idps.facebook) {
    if (typeof idps.facebook.clientId !== 'string' || !/^\d{5,20}$/.test(idps.facebook.clientId)) fail(`${key}.facebook.clientId`, idps.facebook.clientId, 'the Facebook app id (digits)');
    if (idps.facebook.apiVersion !== undefined && !/^v\d+\.\d+$/.test(idps.facebook.apiVersion)) fail(`${key}.facebook.apiVersion`, idps.facebook.apiVersion, 'a Graph API version such as "v19.0"');
    checkAttributeMapping(fail, `${key}.facebook`, idps.facebook.attributeMapping);
  }
  const apple = idps.signInWithApple;
  if (apple) {
    checkNonEmpty(fail, `${key}.signInWithApple.clientId`, apple.clientId);
    for (const k of ['teamId', 'keyId'] as const) {
      if (typeof apple[k] !== 'string' || !/^[A-Z0-9]{10}$/.test(apple[k])) fail(`${key}.signInWithApple.${k}`, apple[k], '10 upper-case letters or digits (from the Apple developer account)');
    }
    checkAttributeMapping(fail, `${key}.signInWithApple`, apple.attributeMapping);
  }
  const amazon = idps.loginWithAmazon;
  if (amazon) {
    if (typeof amazon.clientId !== 'string' || !/^amzn1\.application-oa2-client\.[0-9a-f]+$/.test(amazon.clientId)) {
      fail(`${key}.loginWithAmazon.clientId`, amazon.clientId, 'a Login with Amazon client id, "amzn1.application-oa2-client.<hex>"');
    }
    checkAttributeMapping(fail, `${key}.loginWithAmazon`, amazon.attributeMapping);
  }
}

/** One social IdP's admission rule: lists of addresses or invited-only, not both, not empty. */
function checkAdmissionRule(fail: Fail, key: string, a: SocialAdmissionConfig): void {
  if (typeof a !== 'object' || a === null) fail(key, a, '{ allowedEmailDomains?, allowedEmails? } or { invitedOnly: true }');
  if (a.invitedOnly !== undefined && typeof a.invitedOnly !== 'boolean') fail(`${key}.invitedOnly`, a.invitedOnly, 'true or false');
  const domains = a.allowedEmailDomains ?? [];
  const emails = a.allowedEmails ?? [];
  if (!Array.isArray(domains)) fail(`${key}.allowedEmailDomains`, domains, 'a list of email domains');
  if (!Array.isArray(emails)) fail(`${key}.allowedEmails`, emails, 'a list of email addresses');
  if (a.invitedOnly && domains.length + emails.length > 0) {
    fail(key, a, 'either invitedOnly or allowedEmailDomains/allowedEmails, not both');
  }
  if (!a.invitedOnly && domains.length + emails.length === 0) {
    fail(key, a, 'at least one entry in allowedEmailDomains or allowedEmails, or invitedOnly: true');
  }
  domains.forEach((d, i) => {
    if (typeof d !== 'string' || !HOSTNAME.test(d.toLowerCase())) fail(`${key}.allowedEmailDomains[${i}]`, d, 'an email domain such as "example.com" (no "@", no wildcard)');
  });
  emails.forEach((e, i) => {
    if (typeof e !== 'string' || !/^[^\s@"\\]+@[^\s@"\\]+\.[^\s@"\\]+$/.test(e)) fail(`${key}.allowedEmails[${i}]`, e, 'an email address');
  });
  checkUnique(fail, domains.map((d) => d.toLowerCase()), (i) => `${key}.allowedEmailDomains[${i}]`, 'domain');
  checkUnique(fail, emails.map((e) => e.toLowerCase()), (i) => `${key}.allowedEmails[${i}]`, 'address');
}

/**
 * Social IdPs (anyone with an account there can sign in) need an admission rule while the
 * pool is admin-create-only: otherwise they would open a closed pool to the world.
 */
function checkSocialAdmission(raw: ProjectConfig, fail: Fail): void {
  const closed = raw.userPool?.adminCreateUserOnly ?? DEFAULTS.UserPoolConfig.adminCreateUserOnly;
  for (const [label, name] of SOCIAL_KEYS) {
    const provider = raw.identityProviders?.[name];
    if (!provider) continue;
    const key = `identityProviders.${name}.admission`;
    if (provider.admission === undefined) {
      if (closed) {
        fail(
          key,
          undefined,
          'an admission rule ({ allowedEmailDomains: [...] }, { allowedEmails: [...] } or { invitedOnly: true }) ' +
            `while userPool.adminCreateUserOnly is true: without one any ${label} account could sign up`,
        );
      }
      continue;
    }
    checkAdmissionRule(fail, key, provider.admission);
  }
}

/** Each social provider's display name, `identityProviders` key and Cognito provider name. */
const SOCIAL_KEYS = [
  ['Google', 'google', 'Google'],
  ['Facebook', 'facebook', 'Facebook'],
  ['Apple', 'signInWithApple', 'SignInWithApple'],
  ['Amazon', 'loginWithAmazon', 'LoginWithAmazon'],
] as const satisfies readonly (readonly [string, keyof IdentityProvidersConfig, SocialProviderName])[];

function checkIdentityPool(raw: ProjectConfig, fail: Fail, groupCheck: (k: string, v: string) => void): void {
  const p = raw.identityPool ?? {};
  if (p.roleMapping !== undefined && !['rules', 'token'].includes(p.roleMapping)) {
    fail('identityPool.roleMapping', p.roleMapping, '"rules" or "token"');
  }
  if (p.ambiguousRoleResolution !== undefined && !['AuthenticatedRole', 'Deny'].includes(p.ambiguousRoleResolution)) {
    fail('identityPool.ambiguousRoleResolution', p.ambiguousRoleResolution, '"AuthenticatedRole" or "Deny"');
  }
  checkDirectFederation(raw, fail, groupCheck);
}

/** Direct IdPs of the identity pool: configured, each once, rules on a claim to configured groups. */
function checkDirectFederation(raw: ProjectConfig, fail: Fail, groupCheck: (k: string, v: string) => void): void {
  const idps = raw.identityProviders ?? {};
  const configured = [
    ...SOCIAL_KEYS.filter(([, k]) => idps[k]).map(([, , cognitoName]) => cognitoName),
    ...(idps.oidc ?? []).map((o) => o.name),
  ];
  const direct = raw.identityPool?.directFederation ?? [];
  if (!Array.isArray(direct)) fail('identityPool.directFederation', direct, 'a list of { idp, rules?, unmatched? }');
  direct.forEach((d, i) => {
    const key = `identityPool.directFederation[${i}]`;
    if (!configured.includes(d.idp)) fail(`${key}.idp`, d.idp, `a configured social or OIDC identity provider (${configured.join(', ') || 'none configured'}); SAML cannot sign in to an identity pool directly here`);
    if (d.unmatched !== undefined && !['AuthenticatedRole', 'Deny'].includes(d.unmatched)) fail(`${key}.unmatched`, d.unmatched, '"AuthenticatedRole" or "Deny"');
    if (d.rules === undefined && d.unmatched !== 'AuthenticatedRole') {
      fail(`${key}.rules`, undefined, 'rules mapping a claim to groups (with unmatched "Deny", the default, a provider without rules would give nobody credentials), or unmatched: "AuthenticatedRole"');
    }
    if (d.rules !== undefined) {
      checkNonEmpty(fail, `${key}.rules.claim`, d.rules.claim);
      if (d.rules.matchType !== undefined && !['Equals', 'Contains'].includes(d.rules.matchType)) fail(`${key}.rules.matchType`, d.rules.matchType, '"Equals" or "Contains"');
      const mapping = Object.entries<string>(d.rules.groupMapping ?? {});
      if (mapping.length === 0) fail(`${key}.rules.groupMapping`, d.rules.groupMapping, 'at least one claim value -> group');
      // The identity pool allows 25 rules per provider.
      if (mapping.length > 25) fail(`${key}.rules.groupMapping`, Object.keys(d.rules.groupMapping), 'at most 25 claim values (the identity pool allows 25 rules per provider)');
      for (const [value, group] of mapping) groupCheck(`${key}.rules.groupMapping["${value}"]`, group);
    }
  });
  checkUnique(fail, direct.map((d) => d.idp), (i) => `identityPool.directFederation[${i}].idp`, 'provider');
}

function checkAudience(
  fail: Fail,
  key: string,
  audience: StorageAudience | undefined,
  rule: StorageRule,
  groupCheck: (k: string, v: string) => void,
): void {
  if (audience === undefined || audience === 'authenticated') return;
  if (audience === 'owner') {
    if (!rule.prefix.includes(OWNER)) fail(key, audience, `a prefix containing ${OWNER} for the "owner" audience (prefix is "${rule.prefix}")`);
    return;
  }
  if (typeof audience !== 'object' || !Array.isArray(audience.groups) || audience.groups.length === 0) {
    fail(key, audience, '"authenticated", "owner" or { groups: [at least one group] }');
  }
  audience.groups.forEach((g, i) => groupCheck(`${key}.groups[${i}]`, g));
}

function checkStorage(rules: readonly StorageRule[] | undefined, fail: Fail, groupCheck: (k: string, v: string) => void): void {
  if (!Array.isArray(rules)) fail('storage.rules', rules, 'a list of storage rules');
  rules.forEach((r, i) => {
    const key = `storage.rules[${i}]`;
    if (!r.prefix.endsWith('/') || r.prefix.startsWith('/') || !PREFIX.test(r.prefix)) {
      fail(`${key}.prefix`, r.prefix, 'a key prefix ending with "/" (not starting with "/"), e.g. "premium/"');
    }
    if (r.prefix.split(OWNER).length > 2) fail(`${key}.prefix`, r.prefix, `at most one ${OWNER}`);
    if (r.read === undefined && r.write === undefined) fail(key, r, 'a read or write audience');
    checkAudience(fail, `${key}.read`, r.read, r, groupCheck);
    checkAudience(fail, `${key}.write`, r.write, r, groupCheck);
  });
  checkUnique(fail, rules.map((r) => r.prefix), (i) => `storage.rules[${i}].prefix`, 'prefix');
}

function checkApi(api: ApiConfig, fail: Fail, groupCheck: (k: string, v: string) => void): void {
  if (api.name !== undefined && !/^[A-Za-z0-9_-]{1,40}$/.test(api.name)) fail('api.name', api.name, '1-40 letters, digits, "_" or "-"');
  checkInt(fail, 'api.queryDepthLimit', api.queryDepthLimit, 1, 75);
  checkInt(fail, 'api.resolverCountLimit', api.resolverCountLimit, 1, 10000);
  const callers = api.iamCallers ?? [];
  callers.forEach((c, i) => {
    const key = `api.iamCallers[${i}]`;
    if (!CALLER_NAME.test(c.name)) fail(`${key}.name`, c.name, '1-32 lowercase letters, digits or "-"');
    if ('group' in c.principal) groupCheck(`${key}.principal.group`, c.principal.group);
    else if (!SERVICE_PRINCIPAL.test(c.principal.service)) {
      fail(`${key}.principal.service`, c.principal.service, 'an AWS service principal such as "lambda.amazonaws.com"');
    }
    if (c.fields.length === 0) fail(`${key}.fields`, c.fields, 'at least one field');
    c.fields.forEach((f, j) => {
      if (!FIELD_REF.test(f)) fail(`${key}.fields[${j}]`, f, 'a "Type.field" reference such as "Query.articles"');
    });
  });
  checkUnique(fail, callers.map((c) => c.name), (i) => `api.iamCallers[${i}].name`, 'caller name');
  for (const [name, list] of Object.entries(api.groupVariables ?? {})) {
    const key = `api.groupVariables.${name}`;
    if (!/^[A-Z][A-Z0-9_]*$/.test(name)) fail(key, name, 'a variable name of upper-case letters, digits and "_", starting with a letter');
    if (!Array.isArray(list) || list.length === 0) fail(key, list, 'a list of at least one group');
    list.forEach((g, j) => groupCheck(`${key}[${j}]`, g));
  }
  (api.rowRules ?? []).forEach((r, i) => {
    const key = `api.rowRules[${i}]`;
    if (!FIELD_REF.test(r.field)) fail(`${key}.field`, r.field, 'a "Type.field" reference such as "Query.article"');
    r.groups.forEach((g, j) => groupCheck(`${key}.groups[${j}]`, g));
    checkNonEmpty(fail, `${key}.rule`, r.rule);
  });
}

/** https URLs, or http://localhost for development; the key names the list. */
function checkRedirectUrls(fail: Fail, key: string, urls: readonly string[]): void {
  if (!Array.isArray(urls) || urls.length === 0) fail(key, urls, 'at least one URL');
  urls.forEach((u, i) => {
    let parsed: URL | undefined;
    try {
      parsed = new URL(u);
    } catch {
      parsed = undefined;
    }
    const ok = parsed !== undefined && (parsed.protocol === 'https:' || LOCALHOST_URL.test(u)) && !parsed.hash;
    if (!ok) fail(`${key}[${i}]`, u, 'an https:// URL (or http://localhost for development) without a #fragment');
  });
}

function checkWebClient(fail: Fail, key: string, w: WebClientConfig): void {
  checkRedirectUrls(fail, `${key}.callbackUrls`, w.callbackUrls);
  checkRedirectUrls(fail, `${key}.logoutUrls`, w.logoutUrls);
  checkInt(fail, `${key}.refreshTokenValidityDays`, w.refreshTokenValidityDays, 1, 3650);
}

function checkEnvironment(fail: Fail, name: string, e: EnvironmentConfig): void {
  const key = `environments.${name}`;
  if (!ENV_NAME.test(name)) fail(key, name, 'an environment name of 1-16 lowercase letters or digits, starting with a letter');
  if (e.mfa !== undefined && !['ON', 'OPTIONAL'].includes(e.mfa)) fail(`${key}.mfa`, e.mfa, '"ON" or "OPTIONAL"');
  if (e.featurePlan !== undefined && !['ESSENTIALS', 'PLUS'].includes(e.featurePlan)) {
    fail(`${key}.featurePlan`, e.featurePlan, '"ESSENTIALS" or "PLUS"');
  }
  const prefix = e.domainPrefix;
  if (typeof prefix !== 'string' || !DOMAIN_PREFIX.test(prefix) || RESERVED_IN_DOMAIN_PREFIX.some((w) => prefix.includes(w))) {
    fail(`${key}.domainPrefix`, prefix, '1-63 lowercase letters, digits or "-", not starting or ending with "-", without "aws", "amazon" or "cognito"');
  }
  if (e.customDomain) {
    if (!HOSTNAME.test(e.customDomain.domain)) fail(`${key}.customDomain.domain`, e.customDomain.domain, 'a host name such as "auth.example.com"');
    if (!/^arn:aws[a-z-]*:acm:us-east-1:\d{12}:certificate\/[\w-]+$/.test(e.customDomain.certificateArn)) {
      fail(`${key}.customDomain.certificateArn`, e.customDomain.certificateArn, 'an ACM certificate ARN in us-east-1');
    }
  }
  checkWebClient(fail, `${key}.webClient`, e.webClient);
  checkInt(fail, `${key}.waf.requestsPer5Minutes`, e.waf?.requestsPer5Minutes, 10, 2000000000);
  if (e.requireRemoteState !== undefined && typeof e.requireRemoteState !== 'boolean') {
    fail(`${key}.requireRemoteState`, e.requireRemoteState, 'true or false');
  }
  if (!e.state && e.requireRemoteState !== false) {
    fail(
      `${key}.state.bucket`,
      undefined,
      'an S3 bucket for the Terraform state (it holds client secrets), or requireRemoteState: false for a throwaway environment',
    );
  }
  checkRelaxations(fail, key, e.relaxations);
  if (e.state) {
    if (!BUCKET_NAME.test(e.state.bucket)) fail(`${key}.state.bucket`, e.state.bucket, 'an S3 bucket name (3-63 lowercase letters, digits, "." or "-")');
    if (e.state.key !== undefined && (e.state.key === '' || e.state.key.startsWith('/'))) {
      fail(`${key}.state.key`, e.state.key, 'a non-empty object key not starting with "/"');
    }
    if (e.state.region !== undefined && !REGION.test(e.state.region)) fail(`${key}.state.region`, e.state.region, 'an AWS region');
  }
}

function checkRelaxations(fail: Fail, envKey: string, relaxations: EnvironmentConfig['relaxations']): void {
  if (relaxations === undefined) return;
  if (!Array.isArray(relaxations)) fail(`${envKey}.relaxations`, relaxations, 'a list of { control, reason }');
  relaxations.forEach((r, i) => {
    const key = `${envKey}.relaxations[${i}]`;
    if (!(CONTROL_IDS as readonly string[]).includes(r.control)) {
      fail(`${key}.control`, r.control, `a control id of the compliance report (${CONTROL_IDS.join(', ')})`);
    }
    checkNonEmpty(fail, `${key}.reason`, r.reason);
  });
  checkUnique(fail, relaxations.map((r) => r.control), (i) => `${envKey}.relaxations[${i}].control`, 'control');
}

function checkEnvironments(envs: ProjectConfig['environments'], fail: Fail): void {
  const names = Object.keys(envs ?? {});
  if (names.length === 0) fail('environments', envs, 'at least one environment');
  for (const name of names) checkEnvironment(fail, name, envs[name]);
  // Prefix domains are global per region: two environments cannot share one.
  checkUnique(fail, names.map((n) => envs[n].domainPrefix), (i) => `environments.${names[i]}.domainPrefix`, 'domain prefix');
}

function checkLocal(local: LocalModeConfig, envNames: string[], fail: Fail, groupCheck: (k: string, v: string) => void): void {
  if (local.environment !== undefined && !envNames.includes(local.environment)) {
    fail('local.environment', local.environment, `one of the environments ${envNames.join(', ')}`);
  }
  for (const port of ['userPoolPort', 'graphqlPort', 'dynamodbPort'] as const) {
    checkInt(fail, `local.${port}`, local[port], 1, 65535);
  }
  local.demoUsers.forEach((u, i) => {
    if (!EMAIL.test(u.email)) fail(`local.demoUsers[${i}].email`, u.email, 'an email address');
    (u.groups ?? []).forEach((g, j) => groupCheck(`local.demoUsers[${i}].groups[${j}]`, g));
    if (u.signIn !== undefined && !(DEMO_SIGN_INS as readonly unknown[]).includes(u.signIn)) {
      fail(`local.demoUsers[${i}].signIn`, u.signIn, `one of ${DEMO_SIGN_INS.join(', ')}`);
    }
  });
  checkUnique(fail, local.demoUsers.map((u) => u.email.toLowerCase()), (i) => `local.demoUsers[${i}].email`, 'email');
  (local.allowedOrigins ?? []).forEach((o, i) => {
    if (!isOrigin(o)) fail(`local.allowedOrigins[${i}]`, o, 'a browser origin: http(s)://host[:port], lowercase, no path, no trailing slash (e.g. "http://localhost:5173")');
  });
}

/** True for exactly what a browser sends as `Origin`: the URL's origin, nothing more. */
function isOrigin(value: unknown): boolean {
  if (typeof value !== 'string') return false;
  try {
    const url = new URL(value);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.origin === value;
  } catch {
    return false;
  }
}

const USERNAME_ATTRIBUTES: readonly unknown[] = ['email', 'phone_number'];
const ALIAS_ATTRIBUTES: readonly unknown[] = ['email', 'phone_number', 'preferred_username'];
const ATTRIBUTE_TYPES: readonly unknown[] = ['String', 'Number', 'DateTime', 'Boolean'];
const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Every environment's `existing` pool: ids in the project region, configured groups, a complete immutable declaration. */
function checkExistingPools(raw: ProjectConfig, fail: Fail, groupCheck: (k: string, v: string) => void): void {
  for (const [name, env] of Object.entries(raw.environments ?? {})) {
    if (env.existing !== undefined) checkExisting(fail, `environments.${name}.existing`, env.existing, raw.region, groupCheck);
  }
}

function checkExisting(fail: Fail, key: string, e: ExistingPoolConfig, region: string, groupCheck: (k: string, v: string) => void): void {
  if (typeof e !== 'object' || e === null) fail(key, e, '{ userPoolId, identityPoolId?, clientIds?, immutable }');
  const r = escapeRegExp(region);
  if (typeof e.userPoolId !== 'string' || !new RegExp(`^${r}_[0-9a-zA-Z]+$`).test(e.userPoolId)) {
    fail(`${key}.userPoolId`, e.userPoolId, `a user pool id in the project region, "${region}_<id>"`);
  }
  if (e.identityPoolId !== undefined && !new RegExp(`^${r}:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`).test(e.identityPoolId)) {
    fail(`${key}.identityPoolId`, e.identityPoolId, `an identity pool id in the project region, "${region}:<uuid>"`);
  }
  for (const client of ['web', 'server'] as const) {
    const id = e.clientIds?.[client];
    if (id !== undefined && (typeof id !== 'string' || !/^[\w+]{1,128}$/.test(id))) fail(`${key}.clientIds.${client}`, id, 'an app client id (letters and digits)');
  }
  (e.groups ?? []).forEach((g, i) => groupCheck(`${key}.groups[${i}]`, g));
  if (e.importDomain !== undefined && typeof e.importDomain !== 'boolean') fail(`${key}.importDomain`, e.importDomain, 'true or false');
  const im = e.immutable;
  const ik = `${key}.immutable`;
  if (typeof im !== 'object' || im === null) {
    fail(ik, im, '{ poolName, usernameAttributes, caseSensitive, aliasAttributes?, customAttributes? }: what the existing pool has (aws cognito-idp describe-user-pool)');
  }
  checkNonEmpty(fail, `${ik}.poolName`, im.poolName);
  const list = (k: string, v: unknown, allowed: readonly unknown[]) => {
    if (!Array.isArray(v) || v.some((x) => !allowed.includes(x))) fail(`${ik}.${k}`, v, `a list of ${allowed.join(', ')}`);
  };
  list('usernameAttributes', im.usernameAttributes, USERNAME_ATTRIBUTES);
  if (im.aliasAttributes !== undefined) list('aliasAttributes', im.aliasAttributes, ALIAS_ATTRIBUTES);
  if (typeof im.caseSensitive !== 'boolean') fail(`${ik}.caseSensitive`, im.caseSensitive, 'true or false (a pool without UsernameConfiguration is case sensitive)');
  (im.customAttributes ?? []).forEach((a, i) => {
    const ak = `${ik}.customAttributes[${i}]`;
    if (typeof a.name !== 'string' || !/^[\w-]{1,20}$/.test(a.name)) fail(`${ak}.name`, a.name, 'the attribute name without "custom:" (1-20 letters, digits, "_" or "-")');
    if (!ATTRIBUTE_TYPES.includes(a.type)) fail(`${ak}.type`, a.type, `one of ${ATTRIBUTE_TYPES.join(', ')}`);
    if (a.mutable !== undefined && typeof a.mutable !== 'boolean') fail(`${ak}.mutable`, a.mutable, 'true or false');
    checkInt(fail, `${ak}.minLength`, a.minLength, 0, 2048);
    checkInt(fail, `${ak}.maxLength`, a.maxLength, 0, 2048);
  });
  checkUnique(fail, (im.customAttributes ?? []).map((a) => a.name), (i) => `${ik}.customAttributes[${i}].name`, 'attribute name');
}
