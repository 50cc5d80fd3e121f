import { readFileSync } from 'node:fs';
import { Construct } from 'constructs';
import { TerraformVariable } from 'cdktf';
import { CognitoIdentityProvider } from '@cdktf/provider-aws/lib/cognito-identity-provider';
import type { ResolvedConfig, ResolvedGoogleProvider, ResolvedSamlProvider } from '../config';
import { repoPath } from '../config/paths';
import { IDP_GROUPS_ATTRIBUTE } from './user-directory';

/** The sensitive Terraform variable that carries the Google client secret (never in source or outputs). */
const GOOGLE_SECRET_VARIABLE = 'google_client_secret';

/**
 * provider_details keys AWS computes itself after create. Without ignore_changes every plan
 * would show them as a diff to remove.
 */
const SAML_COMPUTED_DETAILS = ['ActiveEncryptionCertificate', 'SLORedirectBindingURI', 'SSORedirectBindingURI'];
const GOOGLE_COMPUTED_DETAILS = [
  'attributes_url',
  'attributes_url_add_attributes',
  'authorize_url',
  'oidc_issuer',
  'token_request_method',
  'token_url',
];

const ignoreDetails = (keys: readonly string[]) => keys.map((k) => `provider_details["${k}"]`);

/** The identity providers as the config resolves them (`config.identityProviders`). */
export type FederationProviders = Pick<ResolvedConfig['identityProviders'], 'google' | 'saml'>;

export interface FederationProps {
  /** The user pool the providers sign users into. */
  readonly userPoolId: string;
  /** Google sign-in, defaults filled in. @default none (no Google provider, no secret variable) */
  readonly google?: ResolvedGoogleProvider;
  /** SAML providers, defaults filled in; an empty list adds none. */
  readonly saml: readonly ResolvedSamlProvider[];
}

/** SAML provider_details: the metadata (URL or the file's text), IdP sign-out and request signing. */
function samlDetails(s: ResolvedSamlProvider): Record<string, string> {
  const details: Record<string, string> = s.metadataUrl
    ? { MetadataURL: s.metadataUrl }
    : { MetadataFile: readFileSync(repoPath(s.metadataFile!), 'utf8') };
  details.IDPSignout = String(s.idpSignOut);
  if (s.requestSigning) details.RequestSigningAlgorithm = 'rsa-sha256';
  return details;
}

/**
 * The external identity providers of the user pool: Google and any number of SAML IdPs.
 * Group mapping from their claims is done by the pre-token-generation trigger (UserDirectory).
 */
export class Federation extends Construct {
  /** Every provider, by name. */
  readonly providers: Readonly<Record<string, CognitoIdentityProvider>>;
  /**
   * Provider names as Terraform references, so that an app client listing them is created
   * after the providers exist.
   */
  readonly providerNames: readonly string[];
  /** The Google secret variable, when Google is enabled. */
  readonly googleClientSecret?: TerraformVariable;

  constructor(scope: Construct, id: string, props: FederationProps) {
    super(scope, id);
    const { userPoolId, google } = props;
    const providers: Record<string, CognitoIdentityProvider> = {};

    if (google) {
      this.googleClientSecret = new TerraformVariable(scope, GOOGLE_SECRET_VARIABLE, {
        type: 'string',
        sensitive: true,
        nullable: false,
        description: 'Google OAuth client secret of the Google sign-in provider (set TF_VAR_google_client_secret)',
      });
      providers.Google = new CognitoIdentityProvider(this, 'google', {
        userPoolId,
        providerName: 'Google',
        providerType: 'Google',
        providerDetails: {
          client_id: google.clientId,
          client_secret: this.googleClientSecret.stringValue,
          authorize_scopes: google.scopes,
        },
        attributeMapping: { ...google.attributeMapping },
        lifecycle: { ignoreChanges: ignoreDetails(GOOGLE_COMPUTED_DETAILS) },
      });
    }

    for (const s of props.saml) {
      providers[s.name] = new CognitoIdentityProvider(this, `saml-${s.name}`, {
        userPoolId,
        providerName: s.name,
        providerType: 'SAML',
        providerDetails: samlDetails(s),
        attributeMapping: { ...s.attributeMapping, [IDP_GROUPS_ATTRIBUTE]: s.groupsAttribute },
        idpIdentifiers: s.identifiers.length > 0 ? [...s.identifiers] : undefined,
        lifecycle: { ignoreChanges: ignoreDetails(SAML_COMPUTED_DETAILS) },
      });
    }

    this.providers = providers;
    this.providerNames = Object.values(providers).map((p) => p.providerName);
  }

  /** User attributes the IdPs write on sign-in; app clients must allow writing exactly these. */
  static mappedAttributes(providers: FederationProviders): string[] {
    const keys = [
      ...Object.keys(providers.google?.attributeMapping ?? {}),
      ...providers.saml.flatMap((s) => [...Object.keys(s.attributeMapping), IDP_GROUPS_ATTRIBUTE]),
    ];
    // `username` is the federated user's identifier, not a writable attribute.
    return [...new Set(keys.filter((k) => k !== 'username'))].sort();
  }
}
