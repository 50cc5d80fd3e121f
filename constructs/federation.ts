import { readFileSync } from 'node:fs';
import { Construct } from 'constructs';
import { TerraformVariable } from 'cdktf';
import { CognitoIdentityProvider } from '@cdktf/provider-aws/lib/cognito-identity-provider';
import type {
  ResolvedAmazonProvider,
  ResolvedAppleProvider,
  ResolvedConfig,
  ResolvedFacebookProvider,
  ResolvedGoogleProvider,
  ResolvedOidcProvider,
  ResolvedSamlProvider,
} from '../config';
import { repoPath } from '../config/paths';
import { IDP_GROUPS_ATTRIBUTE } from './user-directory';
import { noteSynthInputs } from './synth-inputs';

/** The sensitive Terraform variable that carries the Google client secret (never in source or outputs). */
const GOOGLE_SECRET_VARIABLE = 'google_client_secret';

/**
 * provider_details keys AWS computes itself after create. Without ignore_changes every plan
 * would show them as a diff to remove.
 */
const SAML_COMPUTED_DETAILS = ['ActiveEncryptionCertificate', 'SLORedirectBindingURI', 'SSORedirectBindingURI'];
/** The sensitive variables of the other social IdPs' secrets. */
const FACEBOOK_SECRET_VARIABLE = 'facebook_app_secret';
const APPLE_KEY_VARIABLE = 'apple_private_key';
const AMAZON_SECRET_VARIABLE = 'amazon_client_secret';

/** The sensitive variable of an OIDC IdP's client secret: `oidc_<name>_client_secret`, lower case, `-` as `_`. */
function oidcSecretVariable(name: string): string {
  return `oidc_${name.toLowerCase().replace(/-/g, '_')}_client_secret`;
}

/** Endpoints Cognito fills in itself for an OIDC IdP (discovered from the issuer) and for the social IdPs. */
const OIDC_COMPUTED_DETAILS = ['attributes_url', 'attributes_url_add_attributes', 'authorize_url', 'jwks_uri', 'token_url'];
const SOCIAL_COMPUTED_DETAILS = ['attributes_url', 'attributes_url_add_attributes', 'authorize_url', 'oidc_issuer', 'token_request_method', 'token_url'];

const ignoreDetails = (keys: readonly string[]) => keys.map((k) => `provider_details["${k}"]`);

/** The identity providers as the config resolves them (`config.identityProviders`). */
export type FederationProviders = Pick<
  ResolvedConfig['identityProviders'],
  'google' | 'facebook' | 'signInWithApple' | 'loginWithAmazon' | 'saml' | 'oidc'
>;

export interface FederationProps {
  /** The user pool the providers sign users into. */
  readonly userPoolId: string;
  /** Google sign-in, defaults filled in. @default none (no Google provider, no secret variable) */
  readonly google?: ResolvedGoogleProvider;
  /** Facebook login. @default none */
  readonly facebook?: ResolvedFacebookProvider;
  /** Sign in with Apple. @default none */
  readonly signInWithApple?: ResolvedAppleProvider;
  /** Login with Amazon. @default none */
  readonly loginWithAmazon?: ResolvedAmazonProvider;
  /** SAML providers, defaults filled in; an empty list adds none. */
  readonly saml: readonly ResolvedSamlProvider[];
  /** OIDC providers, defaults filled in; an empty list adds none. @default [] */
  readonly oidc?: readonly ResolvedOidcProvider[];
}

/** SAML provider_details: the metadata (URL or the file's text), IdP sign-out and request signing. */
function samlDetails(s: ResolvedSamlProvider): Record<string, string> {
  const details: Record<string, string> = s.metadataUrl ? { MetadataURL: s.metadataUrl } : { MetadataFile: readMetadataFile(repoPath(s.metadataFile!)) };
  details.IDPSignout = String(s.idpSignOut);
  if (s.requestSigning) details.RequestSigningAlgorithm = 'rsa-sha256';
  return details;
}

/** The SAML metadata file's text; noted as a synth input, since the config may name a file outside the repository. */
function readMetadataFile(path: string): string {
  noteSynthInputs([path]);
  return readFileSync(path, 'utf8');
}

/** Attribute mapping of an OIDC IdP: the configured one, plus the groups claim into `custom:idp_groups`. */
function oidcAttributeMapping(o: ResolvedOidcProvider): Record<string, string> {
  return { ...o.attributeMapping, ...(o.groupsClaim ? { [IDP_GROUPS_ATTRIBUTE]: o.groupsClaim } : {}) };
}

/**
 * The external identity providers of the user pool: Google, Facebook, Apple, Amazon, and any
 * number of SAML and OIDC IdPs. Each secret is a sensitive Terraform variable. Group mapping
 * from SAML and OIDC claims is done by the pre-token-generation trigger (UserDirectory).
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
  private readonly scope: Construct;

  constructor(scope: Construct, id: string, props: FederationProps) {
    super(scope, id);
    this.scope = scope;
    const { userPoolId, google } = props;
    const providers: Record<string, CognitoIdentityProvider> = {};

    /** A social IdP (Google, Facebook, Apple, Amazon): its Cognito name is also its provider type. */
    const social = (name: string, id: string, details: Record<string, string>, mapping: Readonly<Record<string, string>>) => {
      providers[name] = new CognitoIdentityProvider(this, id, {
        userPoolId,
        providerName: name,
        providerType: name,
        providerDetails: details,
        attributeMapping: { ...mapping },
        lifecycle: { ignoreChanges: ignoreDetails(SOCIAL_COMPUTED_DETAILS) },
      });
    };
    if (google) {
      this.googleClientSecret = this.secret(GOOGLE_SECRET_VARIABLE, 'Google OAuth client secret of the Google sign-in provider');
      social('Google', 'google', {
        client_id: google.clientId,
        client_secret: this.googleClientSecret.stringValue,
        authorize_scopes: google.scopes,
      }, google.attributeMapping);
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

    const { facebook, signInWithApple: apple, loginWithAmazon: amazon } = props;
    if (facebook) {
      const secret = this.secret(FACEBOOK_SECRET_VARIABLE, 'Facebook app secret of the Facebook login provider');
      social('Facebook', 'facebook', {
        client_id: facebook.clientId,
        client_secret: secret.stringValue,
        authorize_scopes: facebook.scopes,
        ...(facebook.apiVersion ? { api_version: facebook.apiVersion } : {}),
      }, facebook.attributeMapping);
    }
    if (apple) {
      const key = this.secret(APPLE_KEY_VARIABLE, 'Private key (.p8 text) of the Sign in with Apple key');
      social('SignInWithApple', 'apple', {
        client_id: apple.clientId,
        team_id: apple.teamId,
        key_id: apple.keyId,
        private_key: key.stringValue,
        authorize_scopes: apple.scopes,
      }, apple.attributeMapping);
    }
    if (amazon) {
      const secret = this.secret(AMAZON_SECRET_VARIABLE, 'Client secret of the Login with Amazon provider');
      social('LoginWithAmazon', 'amazon', { client_id: amazon.clientId, client_secret: secret.stringValue, authorize_scopes: amazon.scopes }, amazon.attributeMapping);
    }

    for (const o of props.oidc ?? []) {
      const secret = this.secret(oidcSecretVariable(o.name), `OAuth client secret of the ${o.name} OIDC provider`);
      providers[o.name] = new CognitoIdentityProvider(this, `oidc-${o.name}`, {
        userPoolId,
        providerName: o.name,
        providerType: 'OIDC',
        providerDetails: {
          client_id: o.clientId,
          client_secret: secret.stringValue,
          authorize_scopes: o.scopes,
          attributes_request_method: o.attributesRequestMethod,
          oidc_issuer: o.issuer,
        },
        attributeMapping: oidcAttributeMapping(o),
        idpIdentifiers: o.identifiers.length > 0 ? [...o.identifiers] : undefined,
        lifecycle: { ignoreChanges: ignoreDetails(OIDC_COMPUTED_DETAILS) },
      });
    }

    this.providers = providers;
    this.providerNames = Object.values(providers).map((p) => p.providerName);
  }

  /** A sensitive, required string variable (set `TF_VAR_<name>`); never in source or outputs. */
  private secret(name: string, what: string): TerraformVariable {
    return new TerraformVariable(this.scope, name, {
      type: 'string',
      sensitive: true,
      nullable: false,
      description: `${what} (set TF_VAR_${name})`,
    });
  }

  /** User attributes the IdPs write on sign-in; app clients must allow writing exactly these. */
  static mappedAttributes(providers: FederationProviders): string[] {
    const keys = [
      ...[providers.google, providers.facebook, providers.signInWithApple, providers.loginWithAmazon].flatMap((p) => Object.keys(p?.attributeMapping ?? {})),
      ...providers.saml.flatMap((s) => [...Object.keys(s.attributeMapping), IDP_GROUPS_ATTRIBUTE]),
      ...providers.oidc.flatMap((o) => Object.keys(oidcAttributeMapping(o))),
    ];
    // `username` is the federated user's identifier, not a writable attribute.
    return [...new Set(keys.filter((k) => k !== 'username'))].sort();
  }
}
