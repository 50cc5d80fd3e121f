import { Construct } from 'constructs';
import { CognitoResourceServer } from '@cdktf/provider-aws/lib/cognito-resource-server';
import { CognitoUserGroup } from '@cdktf/provider-aws/lib/cognito-user-group';
import { CognitoUserPool, CognitoUserPoolConfig } from '@cdktf/provider-aws/lib/cognito-user-pool';
import { CognitoUserPoolDomain } from '@cdktf/provider-aws/lib/cognito-user-pool-domain';
import type { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import type { StackConfig } from '../config';
import { AdmissionTrigger, needsAdmissionTrigger } from './admission-trigger';
import { GroupMappingTrigger } from './group-mapping-trigger';
import type { LogKey } from './log-key';
import { resourceName } from './naming';

/** The custom attribute federated users' IdP groups land in (read only by the trigger). */
export const IDP_GROUPS_ATTRIBUTE = 'custom:idp_groups';

export interface UserDirectoryProps {
  /** The environment's resolved config. */
  readonly config: StackConfig;
  /** The stack's key for log groups (the triggers' logs). */
  readonly logKey: LogKey;
}

/** Email sending: Cognito's own sender unless the config names a verified SES identity. */
function emailConfiguration(config: StackConfig): CognitoUserPoolConfig['emailConfiguration'] {
  const ses = config.userPool.ses;
  return ses
    ? { emailSendingAccount: 'DEVELOPER', sourceArn: ses.sourceArn, fromEmailAddress: ses.fromAddress }
    : { emailSendingAccount: 'COGNITO_DEFAULT' };
}

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
    const { config } = props;
    const { userPool: up, env } = config;

    this.groupMappingTrigger = new GroupMappingTrigger(this, 'group-mapping', { config, attribute: IDP_GROUPS_ATTRIBUTE, logKey: props.logKey });
    // Social IdPs admit anyone with an account there; the trigger checks who before Cognito
    // creates the user (the config refuses a social IdP without a rule on a closed pool).
    this.admissionTrigger = needsAdmissionTrigger(config) ? new AdmissionTrigger(this, 'admission', { config, logKey: props.logKey }) : undefined;

    this.userPool = new CognitoUserPool(this, 'user-pool', {
      name: resourceName(config, 'users'),
      usernameAttributes: ['email'],
      usernameConfiguration: { caseSensitive: false },
      autoVerifiedAttributes: ['email'],
      // A changed email only replaces the old one once verified, so nobody can take over an
      // address they do not control.
      userAttributeUpdateSettings: { attributesRequireVerificationBeforeUpdate: ['email'] },
      passwordPolicy: {
        minimumLength: up.passwordMinLength,
        requireLowercase: true,
        requireUppercase: true,
        requireNumbers: true,
        requireSymbols: true,
        temporaryPasswordValidityDays: up.temporaryPasswordValidityDays,
      },
      mfaConfiguration: env.mfa,
      softwareTokenMfaConfiguration: { enabled: true },
      userPoolTier: env.featurePlan,
      // Threat protection needs the PLUS plan; there it blocks risky sign-ins (ENFORCED), for
      // standard and custom authentication flows alike (Security Hub Cognito.1 and Cognito.4).
      userPoolAddOns:
        env.featurePlan === 'PLUS'
          ? { advancedSecurityMode: 'ENFORCED', advancedSecurityAdditionalFlows: { customAuthMode: 'ENFORCED' } }
          : undefined,
      accountRecoverySetting: { recoveryMechanism: [{ name: 'verified_email', priority: 1 }] },
      deletionProtection: env.deletionProtection ? 'ACTIVE' : 'INACTIVE',
      adminCreateUserConfig: { allowAdminCreateUserOnly: up.adminCreateUserOnly },
      verificationMessageTemplate: {
        defaultEmailOption: 'CONFIRM_WITH_CODE',
        emailSubject: up.verificationSubject,
        emailMessage: up.verificationMessage,
      },
      emailConfiguration: emailConfiguration(config),
      schema: [
        // Filled from the IdP's groups attribute; only the trigger reads it, and only for
        // users who signed in through that IdP.
        {
          name: IDP_GROUPS_ATTRIBUTE.replace('custom:', ''),
          attributeDataType: 'String',
          mutable: true,
          developerOnlyAttribute: false,
          stringAttributeConstraints: { minLength: '0', maxLength: '2048' },
        },
      ],
      lambdaConfig: {
        // AWS echoes the ARN into the legacy field too; the API accepts both when identical,
        // and setting it avoids a diff on every plan after the first apply.
        preTokenGeneration: this.groupMappingTrigger.function.arn,
        preTokenGenerationConfig: { lambdaArn: this.groupMappingTrigger.function.arn, lambdaVersion: 'V2_0' },
        preSignUp: this.admissionTrigger?.function.arn,
      },
      lifecycle: { preventDestroy: env.deletionProtection },
    });
    this.groupMappingTrigger.allowInvocationBy(this.userPool.arn);
    this.admissionTrigger?.allowInvocationBy(this.userPool.arn);
    this.admissionTrigger?.grantLinking(this.userPool.arn);

    this.groups = Object.fromEntries(
      config.groups.map((g) => [
        g.name,
        new CognitoUserGroup(this, `group-${g.name}`, {
          userPoolId: this.userPool.id,
          name: g.name,
          description: g.description,
          precedence: g.precedence,
        }),
      ]),
    );

    const custom = env.customDomain;
    this.domain = new CognitoUserPoolDomain(this, 'domain', {
      userPoolId: this.userPool.id,
      domain: custom ? custom.domain : env.domainPrefix,
      certificateArn: custom?.certificateArn,
    });
    this.domainHost = custom ? custom.domain : `${env.domainPrefix}.auth.${config.region}.amazoncognito.com`;
    this.domainUrl = `https://${this.domainHost}`;

    const rs = config.resourceServer;
    this.resourceServer = new CognitoResourceServer(this, 'resource-server', {
      userPoolId: this.userPool.id,
      identifier: rs.identifier,
      name: resourceName(config, rs.identifier),
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
