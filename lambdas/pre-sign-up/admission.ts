import type { PreSignUpTriggerEvent } from 'aws-lambda';

/**
 * Who may come into the pool through an identity provider: the pure decision of the
 * pre-sign-up trigger, with no AWS call in it, so tests and a local mode can run it on V2
 * events directly. Only `PreSignUp_ExternalProvider` (a first federated sign-in) is checked:
 * admin-created users are the administrator's decision, and self sign-up is Cognito's
 * (`allowAdminCreateUserOnly`).
 */

/** How a social IdP's users are admitted. */
export type AdmissionRule =
  /** Addresses in these domains, or exactly these addresses (lower-case). */
  | { readonly mode: 'allowList'; readonly allowedEmailDomains: readonly string[]; readonly allowedEmails: readonly string[] }
  /** Only people an administrator created first: the federated identity is linked to that native user. */
  | { readonly mode: 'invitedOnly' };

export interface AdmissionSettings {
  /** Social provider name (`Google`, …) -> its rule. A social provider without a rule is refused. */
  readonly social: Readonly<Record<string, AdmissionRule>>;
  /** Enterprise providers (SAML, OIDC): membership is the IdP's decision, so they are admitted. */
  readonly enterprise: readonly string[];
}

export type AdmissionDecision =
  | { readonly outcome: 'admit'; readonly reason: string }
  /** Link `provider`'s identity `providerUserId` to the native user whose email is `email`. */
  | { readonly outcome: 'link'; readonly provider: string; readonly providerUserId: string; readonly email: string }
  /** The message Cognito relays to the user (the redirect's `error_description`). */
  | { readonly outcome: 'refuse'; readonly message: string };

/** What the decision reads of a pre-sign-up event. */
export type AdmissionEvent = Pick<PreSignUpTriggerEvent, 'triggerSource' | 'userName'> & {
  readonly request: { readonly userAttributes: Readonly<Record<string, string>> };
};

/** An address the trigger can compare and put in a ListUsers filter: one `@`, no spaces, quotes or backslashes. */
const EMAIL = /^[^\s@"\\]+@[^\s@"\\]+\.[^\s@"\\]+$/;

/** The message a refused person sees; it names the provider, never the allow-list. */
export function refusalMessage(provider: string): string {
  return `Sign-up through ${provider} is not open to this account. Ask an administrator for access.`;
}

/**
 * The configured provider whose federated user this is: Cognito names a first federated
 * sign-in `<ProviderName>_<IdP user id>`, sometimes with the provider name in lower case
 * (`google_…`), so the prefix is compared case-insensitively and the configured spelling
 * returned. The longest name wins (`Corp` vs `Corp_SAML`).
 */
function providerOf(userName: string, names: readonly string[]): string | undefined {
  const lower = userName.toLowerCase();
  return names
    .filter((n) => lower.startsWith(`${n.toLowerCase()}_`) && userName.length > n.length + 1)
    .sort((a, b) => b.length - a.length)[0];
}

/** Decides whether the pool may create this user. */
export function decideAdmission(event: AdmissionEvent, settings: AdmissionSettings): AdmissionDecision {
  if (event.triggerSource !== 'PreSignUp_ExternalProvider') {
    return { outcome: 'admit', reason: `${event.triggerSource}: not a federated sign-up` };
  }
  const social = Object.keys(settings.social);
  const provider = providerOf(event.userName, [...social, ...settings.enterprise]);
  if (provider === undefined) return { outcome: 'refuse', message: 'Sign-up through this identity provider is not open.' };
  if (!social.includes(provider)) return { outcome: 'admit', reason: `${provider} is an enterprise IdP: membership is its decision` };

  const attributes = event.request.userAttributes;
  const email = (attributes.email ?? '').trim().toLowerCase();
  // A provider that says the address is unverified proves nothing about it.
  const unverified = attributes.email_verified !== undefined && attributes.email_verified !== 'true';
  if (!EMAIL.test(email) || unverified) return { outcome: 'refuse', message: refusalMessage(provider) };

  const rule = settings.social[provider];
  if (rule.mode === 'invitedOnly') {
    return { outcome: 'link', provider, providerUserId: event.userName.slice(provider.length + 1), email };
  }
  const domain = email.slice(email.lastIndexOf('@') + 1);
  if (rule.allowedEmails.includes(email)) return { outcome: 'admit', reason: `${email} is in allowedEmails` };
  if (rule.allowedEmailDomains.includes(domain)) return { outcome: 'admit', reason: `${domain} is in allowedEmailDomains` };
  return { outcome: 'refuse', message: refusalMessage(provider) };
}
