import { Construct } from 'constructs';
import { CognitoResourceServer } from '@cdktf/provider-aws/lib/cognito-resource-server';
import { CognitoUserGroup } from '@cdktf/provider-aws/lib/cognito-user-group';
import { CognitoUserPool, CognitoUserPoolConfig } from '@cdktf/provider-aws/lib/cognito-user-pool';
import { CognitoUserPoolDomain } from '@cdktf/provider-aws/lib/cognito-user-pool-domain';
import type { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import type { GroupConfig, ResolvedConfig, ResolvedEnvironment } from '../config';
import type { AdmissionSettings } from '../lambdas/pre-sign-up/admission';
import type { GroupMappingSettings } from '../lambdas/pre-token-generation/handler';
import { AdmissionTrigger } from './admission-trigger';
import { GroupMappingTrigger } from './group-mapping-trigger';
import type { LogKey } from './log-key';
import { resourceName } from './naming';

/** The custom attribute federated users' IdP groups land in (read only by the trigger). */
export const IDP_GROUPS_ATTRIBUTE = 'custom:idp_groups';

export interface UserDirectoryProps {
  /** `<project>-<environment>`: names the pool, the triggers and the resource server. */
  readonly namePrefix: string;
  /** The pool's region (the prefix domain's host name names it). */
  readonly region: string;
  /** Password policy, sign-up, verification email and sender (`config.userPool`, defaults filled in). */
  readonly userPool: ResolvedConfig['userPool'];
  /** TOTP MFA: required or optional. */
  readonly mfa: ResolvedEnvironment['mfa'];
  /** Cognito feature plan; PLUS turns threat protection on in ENFORCED mode. */
  readonly featurePlan: ResolvedEnvironment['featurePlan'];
  /** Deletion protection in AWS and `prevent_destroy` in Terraform. */
  readonly deletionProtection: boolean;
  /** Hosted sign-in domain prefix (used unless `customDomain` is given). */
  readonly domainPrefix: string;
  /** A custom sign-in domain with its us-east-1 ACM certificate. @default none (the prefix domain) */
  readonly customDomain?: ResolvedEnvironment['customDomain'];
  /** The Cognito groups, in precedence order. */
  readonly groups: readonly GroupConfig[];
  /** The resource server for machine clients: identifier and scopes. */
  readonly resourceServer: ResolvedConfig['resourceServer'];
  /** What the pre-token-generation trigger maps (`groupMappingSettings`); its attribute must be `IDP_GROUPS_ATTRIBUTE`. */
  readonly groupMapping: GroupMappingSettings;
  /** Who each social IdP may bring in (`admissionSettings`). @default none (no pre-sign-up trigger) */
  readonly admission?: AdmissionSettings;
  /** The stack's key for log groups (the triggers' logs). */
  readonly logKey: LogKey;
  /** The pool's name; an adopted pool keeps its own (Cognito cannot rename one). @default `<namePrefix>-users` */
  readonly poolName?: string;
}

/** Email sending: Cognito's own sender unless the config names a verified SES identity. */
function emailConfiguration(ses: ResolvedConfig['userPool']['ses']): CognitoUserPoolConfig['emailConfiguration'] {
  return ses
    ? { emailSendingAccount: 'DEVELOPER', sourceArn: ses.sourceArn, fromEmailAddress: ses.fromAddress }
    : { emailSendingAccount: 'COGNITO_DEFAULT' };
}

/** Sign-in security: password policy, MFA, feature plan with threat protection, recovery, deletion protection. */
function signInSecurity(props: UserDirectoryProps): Partial<CognitoUserPoolConfig> {
  const up = props.userPool;
  return {
    passwordPolicy: {
      minimumLength: up.passwordMinLength,
      requireLowercase: true,
      requireUppercase: true,
      requireNumbers: true,
      requireSymbols: true,
      temporaryPasswordValidityDays: up.temporaryPasswordValidityDays,
    },
    mfaConfiguration: props.mfa,
    softwareTokenMfaConfiguration: { enabled: true },
    userPoolTier: props.featurePlan,
    // Threat protection needs the PLUS plan; there it blocks risky sign-ins (ENFORCED), for
    // standard and custom authentication flows alike (Security Hub Cognito.1 and Cognito.4).
    userPoolAddOns:
      props.featurePlan === 'PLUS'
        ? { advancedSecurityMode: 'ENFORCED', advancedSecurityAdditionalFlows: { customAuthMode: 'ENFORCED' } }
        : undefined,
    accountRecoverySetting: { recoveryMechanism: [{ name: 'verified_email', priority: 1 }] },
    deletionProtection: props.deletionProtection ? 'ACTIVE' : 'INACTIVE',
  };
}

/** Who may join and how they verify: admin-created users only (unless opened), email codes, the sender. */
function signUpAndEmail(up: ResolvedConfig['userPool']): Partial<CognitoUserPoolConfig> {
  return {
    adminCreateUserConfig: { allowAdminCreateUserOnly: up.adminCreateUserOnly },
    verificationMessageTemplate: {
      defaultEmailOption: 'CONFIRM_WITH_CODE',
      emailSubject: up.verificationSubject,
      emailMessage: up.verificationMessage,
    },
    emailConfiguration: emailConfiguration(up.ses),
  };
}

/** A custom attribute the pool declares (what `ExistingCustomAttribute` describes of an existing pool). */
export interface PoolCustomAttribute {
  readonly name: string;
  readonly type: 'String' | 'Number' | 'DateTime' | 'Boolean';
  readonly mutable: boolean;
  readonly minLength: number;
  readonly maxLength: number;
}

/**
 * What the pool declares of the settings Cognito cannot change after creation: an adopted
 * pool must have the same (constructs/adoption.ts compares), or Terraform would replace it.
 */
export const POOL_IMMUTABLE: {
  readonly usernameAttributes: readonly string[];
  readonly aliasAttributes: readonly string[];
  readonly caseSensitive: boolean;
  readonly customAttributes: readonly PoolCustomAttribute[];
} = {
  usernameAttributes: ['email'],
  aliasAttributes: [],
  caseSensitive: false,
  // The attribute the IdP groups land in; only the group-mapping trigger reads it.
  customAttributes: [{ name: IDP_GROUPS_ATTRIBUTE.replace('custom:', ''), type: 'String', mutable: true, minLength: 0, maxLength: 2048 }],
};

const POOL_SCHEMA: CognitoUserPoolConfig['schema'] = POOL_IMMUTABLE.customAttributes.map((a) => ({
  name: a.name,
  attributeDataType: a.type,
  mutable: a.mutable,
  developerOnlyAttribute: false,
  stringAttributeConstraints: { minLength: String(a.minLength), maxLength: String(a.maxLength) },
}));

/**
 * The user pool and what hangs directly off it: groups, the sign-in domain, the resource
 * server for machine clients and the group-mapping trigger. Secure by default: every
 * weaker setting is a named config option.
 */
export class UserDirectory extends Construct {
  readonly userPool: CognitoUserPool;
  /** One Cognito group per configured group, by name. */
  readonly groups: Readonly<Record<string, CognitoUserGroup>>;
  readonly domain: CognitoUserPoolDomain;
  /** Host of the hosted sign-in pages (prefix domain or the custom domain). */
  readonly domainHost: string;
  /** `https://<domainHost>`. */
  readonly domainUrl: string;
  readonly resourceServer: CognitoResourceServer;
  readonly groupMappingTrigger: GroupMappingTrigger;
  /** The pre-sign-up trigger, when a social IdP has an admission rule. */
  readonly admissionTrigger?: AdmissionTrigger;

  constructor(scope: Construct, id: string, props: UserDirectoryProps) {
    super(scope, id);
    if (props.groupMapping.attribute !== IDP_GROUPS_ATTRIBUTE) {
      throw new Error(`UserDirectory: groupMapping.attribute = "${props.groupMapping.attribute}": expected "${IDP_GROUPS_ATTRIBUTE}", the attribute the pool declares`);
    }
    const { namePrefix, logKey } = props;
    this.groupMappingTrigger = new GroupMappingTrigger(this, 'group-mapping', { namePrefix, settings: props.groupMapping, logKey });
    // Social IdPs admit anyone with an account there; the trigger checks who before Cognito
    // creates the user (the config refuses a social IdP without a rule on a closed pool).
    this.admissionTrigger = props.admission ? new AdmissionTrigger(this, 'admission', { namePrefix, settings: props.admission, logKey }) : undefined;
    this.userPool = this.createUserPool(props);
    this.groups = this.createGroups(props.groups);
    this.domain = this.createDomain(props);
    this.domainHost = props.customDomain ? props.customDomain.domain : `${props.domainPrefix}.auth.${props.region}.amazoncognito.com`;
    this.domainUrl = `https://${this.domainHost}`;
    this.resourceServer = this.createResourceServer(namePrefix, props.resourceServer);
  }

  /** The pool, wired to its triggers, which may then be invoked by (and, for linking, act on) this pool only. */
  private createUserPool(props: UserDirectoryProps): CognitoUserPool {
    const pool = new CognitoUserPool(this, 'user-pool', {
      name: props.poolName ?? resourceName(props.namePrefix, 'users'),
      usernameAttributes: [...POOL_IMMUTABLE.usernameAttributes],
      usernameConfiguration: { caseSensitive: POOL_IMMUTABLE.caseSensitive },
      autoVerifiedAttributes: ['email'],
      // A changed email only replaces the old one once verified, so nobody can take over an
      // address they do not control.
      userAttributeUpdateSettings: { attributesRequireVerificationBeforeUpdate: ['email'] },
      ...signInSecurity(props),
      ...signUpAndEmail(props.userPool),
      // Filled from the IdP's groups attribute; only the trigger reads it, and only for
      // users who signed in through that IdP.
      schema: POOL_SCHEMA,
      lambdaConfig: {
        // AWS echoes the ARN into the legacy field too; the API accepts both when identical,
        // and setting it avoids a diff on every plan after the first apply.
        preTokenGeneration: this.groupMappingTrigger.function.arn,
        preTokenGenerationConfig: { lambdaArn: this.groupMappingTrigger.function.arn, lambdaVersion: 'V2_0' },
        preSignUp: this.admissionTrigger?.function.arn,
      },
      lifecycle: { preventDestroy: props.deletionProtection },
    });
    this.groupMappingTrigger.allowInvocationBy(pool.arn);
    this.admissionTrigger?.allowInvocationBy(pool.arn);
    this.admissionTrigger?.grantLinking(pool.arn);
    return pool;
  }

  private createGroups(groups: readonly GroupConfig[]): Record<string, CognitoUserGroup> {
    return Object.fromEntries(
      groups.map((g) => [
        g.name,
        new CognitoUserGroup(this, `group-${g.name}`, {
          userPoolId: this.userPool.id,
          name: g.name,
          description: g.description,
          precedence: g.precedence,
        }),
      ]),
    );
  }

  /** The hosted sign-in domain: the custom domain when given, the prefix domain otherwise. */
  private createDomain(props: UserDirectoryProps): CognitoUserPoolDomain {
    const custom = props.customDomain;
    return new CognitoUserPoolDomain(this, 'domain', {
      userPoolId: this.userPool.id,
      domain: custom ? custom.domain : props.domainPrefix,
      certificateArn: custom?.certificateArn,
    });
  }

  private createResourceServer(namePrefix: string, rs: ResolvedConfig['resourceServer']): CognitoResourceServer {
    return new CognitoResourceServer(this, 'resource-server', {
      userPoolId: this.userPool.id,
      identifier: rs.identifier,
      name: resourceName(namePrefix, rs.identifier),
      scope: Object.entries(rs.scopes).map(([scopeName, scopeDescription]) => ({ scopeName, scopeDescription })),
    });
  }

  /** Gives each group its identity-pool role (the roles are created after the identity pool). */
  attachGroupRoles(roles: Readonly<Record<string, IamRole>>): void {
    for (const [name, group] of Object.entries(this.groups)) {
      const role = roles[name];
      if (!role) throw new Error(`no IAM role for group '${name}'`);
      group.roleArn = role.arn;
    }
  }
}
