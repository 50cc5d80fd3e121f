import { Construct } from 'constructs';
import { CognitoIdentityPool } from '@cdktf/provider-aws/lib/cognito-identity-pool';
import { CognitoIdentityPoolProviderPrincipalTag } from '@cdktf/provider-aws/lib/cognito-identity-pool-provider-principal-tag';
import { CognitoIdentityPoolRolesAttachment } from '@cdktf/provider-aws/lib/cognito-identity-pool-roles-attachment';
import { IamOpenidConnectProvider } from '@cdktf/provider-aws/lib/iam-openid-connect-provider';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import type { GroupConfig, ResolvedConfig, ResolvedDirectFederation } from '../config';
import { directMappingRules, mappingRules } from '../access/role-mapping';
import { authenticatedRoleName, groupRoleName, resourceName } from './naming';

/** The principal tag that carries the user's `sub`; per-user storage prefixes use it. */
export const OWNER_TAG = 'owner';

/**
 * Trust policy of every identity-pool role. `aud` pins it to this identity pool (without it
 * any identity pool could hand out the role) and `amr` to signed-in identities.
 * sts:TagSession lets the identity pool pass the principal tags.
 */
function identityPoolTrustPolicy(identityPoolId: string): string {
  return JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Principal: { Federated: 'cognito-identity.amazonaws.com' },
        Action: ['sts:AssumeRoleWithWebIdentity', 'sts:TagSession'],
        Condition: {
          StringEquals: { 'cognito-identity.amazonaws.com:aud': identityPoolId },
          'ForAnyValue:StringLike': { 'cognito-identity.amazonaws.com:amr': 'authenticated' },
        },
      },
    ],
  });
}

export interface IdentityAccessProps {
  /** `<project>-<environment>`: names the identity pool and its roles. */
  readonly namePrefix: string;
  /** The groups, in precedence order: one role each, and (with `rules`) one mapping rule each, first match wins. */
  readonly groups: readonly GroupConfig[];
  /** How a signed-in user's role is chosen (`config.identityPool`). */
  readonly roleMapping: ResolvedConfig['identityPool'];
  /** `cognito-idp.<region>.amazonaws.com/<poolId>`: the user pool as an identity-pool provider. */
  readonly userPoolEndpoint: string;
  /** The app client whose tokens the identity pool accepts. */
  readonly webClientId: string;
  /**
   * IdPs whose tokens the identity pool accepts directly, each with its own role mapping
   * (`config.identityPool.directFederation`). @default [] (the user pool only)
   */
  readonly directFederation?: readonly ResolvedDirectFederation[];
}

/**
 * The identity pool: AWS credentials for signed-in users, one role per group chosen by
 * role mapping, a least-privilege default role, and the `sub` as a principal tag.
 * The roles carry no permissions here; the content store (and the API) grant them.
 */
export class IdentityAccess extends Construct {
  readonly identityPool: CognitoIdentityPool;
  /** Role of signed-in users that no group rule matches. */
  readonly authenticatedRole: IamRole;
  /** Each group's role, by group name. */
  readonly groupRoles: Readonly<Record<string, IamRole>>;
  readonly rolesAttachment: CognitoIdentityPoolRolesAttachment;
  readonly principalTag: CognitoIdentityPoolProviderPrincipalTag;
  /** The IAM OIDC provider of each direct OIDC IdP, by IdP name. */
  readonly openidConnectProviders: Readonly<Record<string, IamOpenidConnectProvider>>;

  constructor(scope: Construct, id: string, props: IdentityAccessProps) {
    super(scope, id);
    const { namePrefix, groups, userPoolEndpoint, webClientId } = props;
    const direct = props.directFederation ?? [];

    // A direct OIDC IdP reaches the identity pool through an IAM OIDC provider (issuer + audience).
    this.openidConnectProviders = Object.fromEntries(
      direct
        .filter((d) => d.kind === 'OIDC')
        .map((d) => [d.idp, new IamOpenidConnectProvider(this, `oidc-provider-${d.idp}`, { url: d.issuer!, clientIdList: [d.clientId] })]),
    );
    const social = direct.filter((d) => d.kind !== 'OIDC');
    const oidcArns = Object.values(this.openidConnectProviders).map((p) => p.arn);

    this.identityPool = new CognitoIdentityPool(this, 'identity-pool', {
      identityPoolName: resourceName(namePrefix, 'identities'),
      allowUnauthenticatedIdentities: false,
      // The classic (basic) flow lets a client pick any role the trust policy allows.
      allowClassicFlow: false,
      cognitoIdentityProviders: [{ providerName: userPoolEndpoint, clientId: webClientId, serverSideTokenCheck: true }],
      supportedLoginProviders: social.length ? Object.fromEntries(social.map((d) => [d.loginProvider, d.clientId])) : undefined,
      openidConnectProviderArns: oidcArns.length ? oidcArns : undefined,
    });
    const trust = identityPoolTrustPolicy(this.identityPool.id);

    this.authenticatedRole = new IamRole(this, 'authenticated-role', {
      name: authenticatedRoleName(namePrefix),
      description: 'Signed-in users without a group role',
      assumeRolePolicy: trust,
      maxSessionDuration: 3600,
    });
    this.groupRoles = Object.fromEntries(
      groups.map((g) => [
        g.name,
        new IamRole(this, `group-role-${g.name}`, {
          name: groupRoleName(namePrefix, g.name),
          description: `Members of the ${g.name} group`,
          assumeRolePolicy: trust,
          maxSessionDuration: 3600,
        }),
      ]),
    );

    const { roleMapping, ambiguousRoleResolution } = props.roleMapping;
    this.rolesAttachment = new CognitoIdentityPoolRolesAttachment(this, 'roles', {
      identityPoolId: this.identityPool.id,
      roles: { authenticated: this.authenticatedRole.arn },
      roleMapping: [
        {
          identityProvider: `${userPoolEndpoint}:${webClientId}`,
          type: roleMapping === 'rules' ? 'Rules' : 'Token',
          ambiguousRoleResolution,
          // First match wins: the access model orders the rules by group precedence.
          mappingRule:
            roleMapping === 'rules'
              ? mappingRules(groups).map((r) => ({
                  claim: r.claim,
                  matchType: r.matchType,
                  value: r.value,
                  roleArn: this.groupRoles[r.value].arn,
                }))
              : undefined,
        },
        // Each direct IdP: its own rules on its token's claim; no rule, no mapping (the default role).
        ...direct
          .filter((d) => d.rules)
          .map((d) => ({
            identityProvider: d.loginProvider,
            type: 'Rules',
            ambiguousRoleResolution: d.unmatched,
            mappingRule: directMappingRules(groups, d.rules).map((r) => ({
              claim: r.claim,
              matchType: r.matchType,
              value: r.value,
              roleArn: this.groupRoles[r.group].arn,
            })),
          })),
      ],
    });

    this.principalTag = new CognitoIdentityPoolProviderPrincipalTag(this, 'principal-tags', {
      identityPoolId: this.identityPool.id,
      identityProviderName: userPoolEndpoint,
      principalTags: { [OWNER_TAG]: 'sub' },
      useDefaults: false,
    });
  }
}
