import type { Construct } from 'constructs';
import type { StackConfig } from '../config';
import type { AdmissionSettings } from '../lambdas/pre-sign-up/admission';
import { LambdaTrigger } from './lambda-trigger';
import type { LogKey } from './log-key';

/**
 * The settings the pre-sign-up trigger runs with, from the config: each social IdP's rule
 * and the enterprise IdPs, SAML and OIDC (admitted: membership is their decision).
 */
export function admissionSettings(config: StackConfig): AdmissionSettings {
  return {
    social: Object.fromEntries(config.identityProviders.social.filter((p) => p.admission).map((p) => [p.name, p.admission!])),
    enterprise: [...config.identityProviders.saml, ...config.identityProviders.oidc].map((p) => p.name),
  };
}

/** The function's environment variables: the settings as `settingsFromEnv` (pre-sign-up/handler.ts) reads them back. */
export function admissionEnvironment(settings: AdmissionSettings): Record<string, string> {
  return { SOCIAL_ADMISSION: JSON.stringify(settings.social), ENTERPRISE_PROVIDERS: JSON.stringify(settings.enterprise) };
}

/** Does the pool need the pre-sign-up trigger? Whenever a social IdP has an admission rule. */
export function needsAdmissionTrigger(config: StackConfig): boolean {
  return config.identityProviders.social.some((p) => p.admission);
}

export interface AdmissionTriggerProps {
  /** `<project>-<environment>`: the function is `<namePrefix>-pre-sign-up`. */
  readonly namePrefix: string;
  /** Who each social IdP may bring in (`admissionSettings(config)`). */
  readonly settings: AdmissionSettings;
  /** The stack's key for log groups. */
  readonly logKey: LogKey;
}

/**
 * The pre-sign-up Lambda that decides who a social IdP may bring into the pool, with its own
 * log group and a role that may only write to that log group, plus, when a provider is
 * invited-only, `ListUsers` and `AdminLinkProviderForUser` on this one pool (`grantLinking`).
 */
export class AdmissionTrigger extends LambdaTrigger {
  private readonly settings: AdmissionSettings;

  constructor(scope: Construct, id: string, props: AdmissionTriggerProps) {
    const { settings } = props;
    super(scope, id, {
      namePrefix: props.namePrefix,
      lambda: 'pre-sign-up',
      description: 'Admits social sign-ups by the config admission rules',
      environment: admissionEnvironment(settings),
      logKey: props.logKey,
    });
    this.settings = settings;
  }

  /**
   * Lets the function find and link invited users of exactly this pool, when some provider is
   * invited-only. The grant is its own policy resource, so the pool ARN in it makes no cycle
   * (policy -> pool -> function -> role).
   */
  grantLinking(userPoolArn: string): void {
    if (!Object.values(this.settings.social).some((r) => r.mode === 'invitedOnly')) return;
    this.grant('link-policy', 'link-invited-users', [
      { sid: 'LinkInvitedUsers', actions: ['cognito-idp:ListUsers', 'cognito-idp:AdminLinkProviderForUser'], resources: [userPoolArn] },
    ]);
  }
}
