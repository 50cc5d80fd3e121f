import type { FederatedUserStore } from './federated-users';
import { invalidParameter, UserPoolError } from './protocol/errors';

/**
 * `AdminLinkProviderForUser`, the call an invited-only pre-sign-up trigger makes (through the AWS
 * SDK, against the local pool's endpoint): the IdP's user `SourceUser` signs in as the native
 * user `DestinationUser` from then on. Checked as Cognito checks it: this pool, a destination
 * that is a native user (`ProviderName: Cognito`), a source provider the pool has, and a source
 * identity that has not signed in on its own yet ("merging" is refused). The link is an entry of
 * the destination's `identities` attribute, which the federated sign-in looks up.
 */

type Json = Record<string, unknown>;

export interface LinkProviderContext {
  readonly poolId: string;
  readonly store: FederatedUserStore;
  /** The pool's identity providers (name -> provider type), read from the stack when first needed. */
  readonly providers: () => ReadonlyMap<string, string>;
}

function userRef(req: Json, key: 'DestinationUser' | 'SourceUser'): { ProviderName: string; ProviderAttributeName?: string; ProviderAttributeValue: string } {
  const v = req[key];
  if (!v || typeof v !== 'object') throw invalidParameter(`Missing required parameter ${key}`);
  const { ProviderName, ProviderAttributeName, ProviderAttributeValue } = v as Json;
  if (typeof ProviderName !== 'string' || ProviderName === '') throw invalidParameter(`Missing required parameter ${key}.ProviderName`);
  if (typeof ProviderAttributeValue !== 'string' || ProviderAttributeValue === '') throw invalidParameter(`Missing required parameter ${key}.ProviderAttributeValue`);
  if (ProviderAttributeName !== undefined && typeof ProviderAttributeName !== 'string') throw invalidParameter(`${key}.ProviderAttributeName: expected a string`);
  return { ProviderName, ProviderAttributeName, ProviderAttributeValue };
}

export async function adminLinkProviderForUser(ctx: LinkProviderContext, req: Json): Promise<Json> {
  if (req.UserPoolId !== ctx.poolId) throw new UserPoolError('ResourceNotFoundException', `User pool ${String(req.UserPoolId)} does not exist.`);
  const destination = userRef(req, 'DestinationUser');
  const source = userRef(req, 'SourceUser');
  if (destination.ProviderName !== 'Cognito') throw invalidParameter('DestinationUser.ProviderName: expected Cognito (a native user of this pool)');
  const providerType = ctx.providers().get(source.ProviderName);
  if (providerType === undefined) {
    throw invalidParameter(`SourceUser.ProviderName ${JSON.stringify(source.ProviderName)}: expected an identity provider of this pool (${[...ctx.providers().keys()].join(', ')})`);
  }
  // The IdP's user id (what the federated sign-in names the user by); locally the only attribute a link can match.
  if (source.ProviderAttributeName !== 'Cognito_Subject') {
    throw invalidParameter(`SourceUser.ProviderAttributeName ${JSON.stringify(source.ProviderAttributeName ?? null)}: the local pool links by Cognito_Subject only`);
  }
  const user = await ctx.store.user(destination.ProviderAttributeValue);
  if (!user) throw new UserPoolError('UserNotFoundException', 'User does not exist.');
  if (user.status === 'EXTERNAL_PROVIDER') throw invalidParameter('DestinationUser: expected a native user, not a federated one');
  if (await ctx.store.user(`${source.ProviderName}_${source.ProviderAttributeValue}`)) {
    throw invalidParameter('Merging is not currently supported, provide a SourceUser that has not been used for sign-in');
  }
  await ctx.store.linkProvider(user.username, {
    userId: source.ProviderAttributeValue,
    providerName: source.ProviderName,
    providerType,
    // Cognito keeps the IdP's issuer here; the pool does not know the local IdPs' (made per start).
    issuer: null,
  });
  return {};
}
