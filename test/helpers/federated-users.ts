import type { ResolvedConfig } from '../../config';

type FederatedUser = ResolvedConfig['local']['federatedUsers'][number];

/**
 * The example config's demo IdP people that the federation tests need, picked by what makes each
 * one interesting (not by e-mail), so a renamed demo user does not silently drop a case.
 */
export function federatedPersonas(config: ResolvedConfig) {
  const fedUser = (pred: (u: FederatedUser) => boolean): FederatedUser => {
    const u = config.local.federatedUsers.find(pred);
    if (!u) throw new Error('config.local.federatedUsers lacks a user this test needs');
    return u;
  };
  return {
    samlEditor: fedUser((u) => u.idp === 'CorpSAML' && u.idpGroups.includes('content-editors')),
    samlAdminClaimant: fedUser((u) => u.idp === 'CorpSAML' && u.idpGroups.includes('admins')),
    googleAllowed: fedUser((u) => u.idp === 'Google' && u.email.endsWith('@example.com')),
    googleOutsider: fedUser((u) => u.idp === 'Google' && !u.email.endsWith('@example.com')),
  };
}
