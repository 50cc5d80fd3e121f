import { decomposeUnverifiedJwt } from 'aws-jwt-verify/jwt';
import type { ResolvedConfig } from '../config';
import { stackConfig } from '../config';
import { groupMappingSettings } from '../constructs/group-mapping-trigger';
import { IDP_GROUPS_ATTRIBUTE } from '../constructs/user-directory';
import { mappedGroups } from '../lambdas/pre-token-generation/handler';
import type { ExplainSubject } from './explain';
import { UserFacingError } from '../config/errors';

/** Who to explain, from the explainer's options. Errors name the option, the value and what was expected. */

function splitList(value: string): string[] {
  return value.split(',').map((s) => s.trim()).filter(Boolean);
}

/** `--groups a,b` (empty string: signed in with no group). */
export function subjectFromGroups(list: string): ExplainSubject {
  return { groups: splitList(list), source: `--groups ${list || '(none)'}`, notes: [] };
}

/**
 * `--token <jwt>`: reads `cognito:groups` from the payload WITHOUT verifying the signature.
 * Good for explaining what a token claims; it is never used to grant anything.
 */
export function subjectFromToken(jwt: string): ExplainSubject {
  let payload: Record<string, unknown>;
  try {
    payload = decomposeUnverifiedJwt(jwt.trim()).payload;
  } catch (e) {
    throw new UserFacingError({ location: '--token', problem: `not a JWT (expected header.payload.signature, base64url JSON): ${(e as Error).message}` });
  }
  const claim = payload['cognito:groups'];
  if (claim !== undefined && !(Array.isArray(claim) && claim.every((g) => typeof g === 'string'))) {
    throw new UserFacingError({ location: `--token: cognito:groups = ${JSON.stringify(claim)}`, problem: 'expected a list of group names' });
  }
  const who = payload['cognito:username'] ?? payload.username ?? payload.sub ?? 'unknown';
  return {
    groups: claim ?? [],
    source: `token of ${String(who)} (${String(payload.token_use ?? 'unknown')} token)`,
    notes: ['the token was decoded WITHOUT verifying its signature, issuer or expiry: its groups are used to explain only, never to grant access'],
  };
}

/** `--user <email>`: a demo user of config.local.demoUsers. */
export function subjectFromDemoUser(config: Pick<ResolvedConfig, 'local'>, email: string): ExplainSubject {
  const user = config.local.demoUsers.find((u) => u.email.toLowerCase() === email.toLowerCase());
  if (!user) {
    throw new UserFacingError({ location: `--user ${email}`, problem: `not in config/project.ts local.demoUsers (have: ${config.local.demoUsers.map((u) => u.email).join(', ')})` });
  }
  return { groups: user.groups, source: `demo user ${user.email}`, notes: [] };
}

/**
 * `--idp <provider> --idp-groups a,b [--groups c]`: a federated user whose IdP groups go
 * through the pre-token-generation trigger's allow-list (the trigger's own function, with
 * the settings the stack gives it).
 */
export function subjectFromFederation(config: ResolvedConfig, provider: string, idpGroups: string, localGroups = ''): ExplainSubject {
  // The IdPs whose groups the trigger maps, exactly as the trigger's own settings say.
  const settings = groupMappingSettings(stackConfig(config, config.local.environment), IDP_GROUPS_ATTRIBUTE);
  const groupMapping = Object.hasOwn(settings.mappings, provider) ? settings.mappings[provider] : undefined;
  if (!groupMapping) {
    throw new UserFacingError({
      location: `--idp ${provider}`,
      problem: `not an IdP of config/project.ts whose groups map (identityProviders.saml, or identityProviders.oidc with a groupsClaim; have: ${Object.keys(settings.mappings).join(', ') || 'none'})`,
    });
  }
  const idp = config.identityProviders.saml.some((s) => s.name === provider) ? { type: 'SAML', key: 'saml' } : { type: 'OIDC', key: 'oidc' };
  const claimed = splitList(idpGroups);
  const mapped = mappedGroups(
    `${provider}_explained-user`,
    { [IDP_GROUPS_ATTRIBUTE]: JSON.stringify(claimed), identities: JSON.stringify([{ providerName: provider, providerType: idp.type }]) },
    settings,
  );
  const own = splitList(localGroups);
  const ignored = claimed.filter((g) => !Object.hasOwn(groupMapping, g));
  return {
    groups: [...new Set([...own, ...mapped])],
    source: `federated user of ${provider} with IdP groups ${claimed.join(', ') || '(none)'}`,
    notes: [
      `the pre-token-generation trigger maps IdP groups through identityProviders.${idp.key} "${provider}" groupMapping: ${mapped.length ? mapped.join(', ') : 'no group'}`,
      ...(ignored.length ? [`IdP groups not in the allow-list are ignored: ${ignored.join(', ')}`] : []),
    ],
  };
}
