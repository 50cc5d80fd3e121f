import { randomBytes } from 'node:crypto';
import * as path from 'node:path';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { JwtRsaVerifier } from 'aws-jwt-verify';
import type { PreSignUpTriggerEvent } from 'aws-lambda';
import * as samlify from 'samlify';
import { decideAdmission, type AdmissionSettings } from '../../lambdas/pre-sign-up/admission';
import type { LocalStack } from '../stack-reader';
import type { FederatedUserStore } from '../user-pool/federated-users';
import type { StoredUser } from '../user-pool/protocol/user-store';
import { mapAttributes, type IdpAttributes } from './attribute-mapping';
import { ensureSigningKey, FEDERATION_KEYS_DIR, SAML_SP_KEY } from './idp-keys';
import { launchIdpThread, type IdpThread, type LaunchedIdpThread } from './idp-thread-client';
import type { IdpUser } from './idp-protocol';
import { loadLambda, type LocalLambda } from './lambda-runner';
import { readForm } from './login-form';
import { createPreTokenHook } from './pre-token-hook';
import type { PreTokenHook } from '../user-pool/token-issuer';
import { useSchemaValidator } from './saml-validator';
import { hasStandIn, idpThreadPreparation, readStackFederation, type StackFederation, type StackIdentityProvider } from './stack-federation';

export { createPreTokenHook } from './pre-token-hook';
export { idpThreadPreparation, readStackFederation } from './stack-federation';
export type { StackFederation } from './stack-federation';
export type { PreTokenHook } from '../user-pool/token-issuer';

/**
 * Federation, offline: the local stand-ins for the stack's identity providers and Cognito's
 * side of the round trip (what `/oauth2/idpresponse` and `/saml2/idpresponse` do):
 * the IdP's answer checked (OIDC code exchange with the ID token verified; SAML response
 * signature, audience and InResponseTo), attributes mapped by the stack's `attribute_mapping`,
 * the stack's pre-sign-up trigger run from its own zip before a federated user is created,
 * and the user `<Provider>_<id>` with Cognito's `identities` attribute saved in the local pool.
 */

export type FederationResult = { readonly username: string } | { readonly error: 'access_denied' | 'server_error'; readonly description: string };

export interface FederationGateway {
  /** Provider names, from the synthesized stack. */
  readonly providerNames: readonly string[];
  /** idp_identifier routing: the provider whose `idp_identifiers` include this identifier, or an email's domain. */
  providerForIdentifier(identifier: string): string | undefined;
  /** Where to send the browser to sign in at the IdP; `state` is opaque and comes back in onResult. */
  authorizeUrl(provider: string, state: string): string;
  /**
   * Handles GET/POST /oauth2/idpresponse and POST /saml2/idpresponse. Returns false when the path
   * is not its own. Calls `onResult` once with the pending request's `state`; `onResult` answers
   * `res` (e.g. redirects to the app). A response that names no pending request is answered
   * here (400), without `onResult`.
   */
  handle(req: IncomingMessage, res: ServerResponse, onResult: (state: string, result: FederationResult) => void): boolean;
  /** The demo users of the local IdPs, for local-outputs.json `local.federatedUsers`. */
  readonly federatedUsers: readonly LocalFederatedUser[];
  /** The stack's pre-token-generation trigger as the token issuer's hook (undefined: the pool has none). */
  readonly preTokenHook?: PreTokenHook;
  /** Where each local IdP listens (Google's issuer, each SAML IdP's metadata URL). */
  readonly idps: Readonly<Record<string, string>>;
  /** One line per identity provider of the stack left out because no local stand-in exists for its type. */
  readonly notices: readonly string[];
  close(): Promise<void>;
}

/** A local IdP user as local-outputs.json lists it. */
export interface LocalFederatedUser {
  readonly idp: string;
  readonly email: string;
  readonly password: string;
  readonly idpGroups: readonly string[];
  /** Whether the stack's pre-sign-up rule admits them (false: the sign-in ends in access_denied). */
  readonly allowed: boolean;
}

export interface FederationOptions {
  readonly stack: LocalStack;
  /** The stack's federation, when already read. @default read from `stack.source` */
  readonly federation?: StackFederation;
  /** The local pool's federated users (UserPoolEmulator.federatedUsers). */
  readonly userPool: FederatedUserStore;
  /** The local pool's API endpoint: the pre-sign-up bundle's AWS SDK calls it (invited-only linking). @default none */
  readonly userPoolEndpoint?: string;
  /** Origin of the managed-login server where `handle` is mounted (`https://127.0.0.1:port`). */
  readonly redirectBase: string;
  /** The local mode's data directory: the signing keys are kept below it (`federation/`, idp-keys.ts). */
  readonly dataDir: string;
  /**
   * The identity-provider thread, launched early (`launchIdpThread(idpThreadPreparation(...))`)
   * so its start overlaps the caller's; closed with the gateway. @default launched here
   */
  readonly idpThread?: LaunchedIdpThread;
  /** People of the local IdPs (config.local.federatedUsers). @default [] */
  readonly users?: readonly { readonly idp: string; readonly email: string; readonly name: string; readonly idpGroups: readonly string[] }[];
  /** Their password at the IdP. */
  readonly password: string;
  /** @default '127.0.0.1' */
  readonly host?: string;
}


/** A round trip waits this long for the IdP's answer (Cognito's own is a few minutes). */
const PENDING_TTL_MS = 10 * 60_000;
const EMAIL_NAME_ID = 'urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress';

interface Pending {
  readonly provider: StackIdentityProvider;
  readonly state: string;
  readonly expires: number;
  /** OIDC nonce, or the SAML AuthnRequest ID. */
  readonly check: string;
}

interface GoogleRp {
  readonly issuer: string;
  readonly authorizationEndpoint: string;
  readonly tokenEndpoint: string;
  readonly userinfoEndpoint: string;
  readonly clientId: string;
  readonly clientSecret: string;
  readonly scopes: string;
  readonly verifier: ReturnType<typeof JwtRsaVerifier.create>;
}

interface SamlSp {
  readonly sp: ReturnType<typeof samlify.ServiceProvider>;
  readonly idp: ReturnType<typeof samlify.IdentityProvider>;
  readonly entityId: string;
}

export async function startFederation(options: FederationOptions): Promise<FederationGateway> {
  const { stack } = options;
  const stackFederation = options.federation ?? readStackFederation(stack);
  const host = options.host ?? '127.0.0.1';
  // A provider type without a local stand-in (OIDC, Facebook, ...) is left out, not fatal: the
  // rest of the local mode and the other providers still run; its sign-ins get an error page.
  const skipped = stackFederation.providers.filter((p) => !hasStandIn(p));
  const federation: StackFederation = { ...stackFederation, providers: stackFederation.providers.filter(hasStandIn) };
  const notices = skipped.map(
    (p) => `identity provider ${p.name} (${p.type}) skipped: the local mode has stand-ins for Google and SAML only, so identity_provider=${p.name} gets an error page`,
  );
  const google = federation.providers.find((p) => p.type === 'Google');
  const samls = federation.providers.filter((p) => p.type === 'SAML');
  const users = (options.users ?? [])
    .filter((u) => !skipped.some((p) => p.name === u.idp))
    .map((u): IdpUser => ({ ...u, password: options.password }));
  for (const u of users) {
    if (!federation.providers.some((p) => p.name === u.idp)) {
      throw new Error(`config/project.ts: local.federatedUsers ${u.email}: idp = ${JSON.stringify(u.idp)}: expected a provider of ${federation.source} (${stackFederation.providers.map((p) => p.name).join(', ')})`);
    }
  }

  const launched = options.idpThread ?? launchIdpThread(idpThreadPreparation(federation, options.dataDir));
  try {
    const googleSecret = randomBytes(24).toString('base64url');
    const spEntityId = `urn:amazon:cognito:sp:${stack.userPool.poolId}`;
    const acs = `${options.redirectBase}/saml2/idpresponse`;
    const oidcRedirect = `${options.redirectBase}/oauth2/idpresponse`;
    useSchemaValidator();
    const spKeys = samls.length > 0 ? await ensureSigningKey(path.join(options.dataDir, FEDERATION_KEYS_DIR), SAML_SP_KEY, `${spEntityId} (local)`) : undefined;
    const spFor = (p: StackIdentityProvider) => {
      const signed = p.details.RequestSigningAlgorithm !== undefined;
      return samlify.ServiceProvider({
        entityID: spEntityId,
        authnRequestsSigned: signed,
        wantAssertionsSigned: true,
        privateKey: spKeys!.key,
        signingCert: spKeys!.cert,
        nameIDFormat: [EMAIL_NAME_ID],
        assertionConsumerService: [{ Binding: samlify.Constants.namespace.binding.post, Location: acs }],
      });
    };

    const thread: IdpThread = await launched.start({
      host,
      users,
      google: google && {
        clientId: google.details.client_id,
        clientSecret: googleSecret,
        redirectUri: oidcRedirect,
        scopes: google.details.authorize_scopes ?? 'openid email profile',
      },
      saml: samls.map((p) => ({
        name: p.name,
        spMetadata: spFor(p).getMetadata(),
        emailAttribute: p.attributeMapping.email ?? 'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress',
        groupsAttribute: Object.entries(p.attributeMapping).find(([k]) => k === 'custom:idp_groups')?.[1],
        nameAttribute: p.attributeMapping.name,
        wantAuthnRequestsSigned: p.details.RequestSigningAlgorithm !== undefined,
        nameIdFormat: metadataNameIdFormat(p) ?? EMAIL_NAME_ID,
      })),
    });
    const rp = google && thread.google ? await googleRp(thread.google.issuer, google, googleSecret) : undefined;
    const sps = new Map<string, SamlSp>();
    for (const p of samls) {
      const local = thread.saml.find((s) => s.name === p.name)!;
      sps.set(p.name, { sp: spFor(p), idp: samlify.IdentityProvider({ metadata: local.metadata }), entityId: local.entityId });
    }
    const triggers = loadTriggers(federation, stack, options.userPoolEndpoint);
    const pending = new Map<string, Pending>();
    const remember = (provider: StackIdentityProvider, state: string, check: string): string => {
      const key = randomBytes(18).toString('base64url');
      const now = Date.now();
      for (const [k, p] of pending) if (p.expires < now) pending.delete(k);
      pending.set(key, { provider, state, check, expires: now + PENDING_TTL_MS });
      return key;
    };
    const take = (key: string | null | undefined): Pending | undefined => {
      const p = key ? pending.get(key) : undefined;
      if (key) pending.delete(key);
      return p && p.expires >= Date.now() ? p : undefined;
    };

    const complete = (p: Pending, providerUserIdFallback: string, attributes: IdpAttributes, issuer: string | null) =>
      completeSignIn({ store: options.userPool, stack, provider: p.provider, attributes, providerUserIdFallback, issuer, preSignUp: triggers.preSignUp });

    const gateway: FederationGateway = {
      providerNames: federation.providers.map((p) => p.name),
      providerForIdentifier(identifier) {
        const id = identifier.trim().toLowerCase();
        const domain = id.includes('@') ? id.slice(id.lastIndexOf('@') + 1) : id;
        return federation.providers.find((p) => p.identifiers.some((x) => x.toLowerCase() === id || x.toLowerCase() === domain))?.name;
      },
      authorizeUrl(providerName, state) {
        const provider = federation.providers.find((p) => p.name === providerName);
        if (!provider) throw new Error(`unknown identity provider ${JSON.stringify(providerName)}: expected one of ${federation.providers.map((p) => p.name).join(', ')}`);
        if (provider.type === 'Google') {
          const nonce = randomBytes(18).toString('base64url');
          const key = remember(provider, state, nonce);
          const url = new URL(rp!.authorizationEndpoint);
          url.search = new URLSearchParams({ client_id: rp!.clientId, redirect_uri: oidcRedirect, response_type: 'code', scope: rp!.scopes, state: key, nonce }).toString();
          return url.toString();
        }
        const { sp, idp } = sps.get(provider.name)!;
        // The AuthnRequest's ID is known only once built: remember first, then fill the check in.
        const key = remember(provider, state, '');
        const request = sp.createLoginRequest(idp, 'redirect', { relayState: key });
        pending.set(key, { ...pending.get(key)!, check: request.id });
        return request.context;
      },
      handle(req, res, onResult) {
        const url = new URL(req.url ?? '/', options.redirectBase);
        const oidc = url.pathname === '/oauth2/idpresponse' && (req.method === 'GET' || req.method === 'POST');
        const saml = url.pathname === '/saml2/idpresponse' && req.method === 'POST';
        if (!oidc && !saml) return false;
        const refuse = (message: string) => res.writeHead(400, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' }).end(message);
        void (async () => {
          const params = req.method === 'POST' ? await readForm(req) : url.searchParams;
          const p = take(oidc ? params.get('state') : params.get('RelayState'));
          if (!p) {
            refuse('This sign-in is unknown or expired: start again from the application.');
            return;
          }
          let result: FederationResult;
          try {
            if (oidc) {
              const error = params.get('error');
              if (error) {
                result = { error: error === 'access_denied' ? 'access_denied' : 'server_error', description: params.get('error_description') ?? error };
              } else {
                const { sub, attributes } = await googleExchange(rp!, params.get('code') ?? '', oidcRedirect, p.check);
                result = await complete(p, sub, attributes, null);
              }
            } else {
              const s = sps.get(p.provider.name)!;
              const { nameId, attributes } = await samlAssertion(s, params, p.check);
              result = await complete(p, nameId, attributes, s.entityId);
            }
          } catch (e) {
            result = { error: 'server_error', description: (e as Error).message };
          }
          onResult(p.state, result);
        })().catch((e: unknown) => {
          if (!res.headersSent) refuse(`sign-in failed: ${(e as Error).message}`);
        });
        return true;
      },
      federatedUsers: users.map((u) => ({
        idp: u.idp,
        email: u.email,
        password: u.password,
        idpGroups: u.idpGroups,
        allowed: admitted(triggers.admission, federation, u),
      })),
      preTokenHook: createPreTokenHook({ stack, federation }),
      notices,
      idps: {
        ...(thread.google && google ? { [google.name]: thread.google.issuer } : {}),
        ...Object.fromEntries(thread.saml.map((s) => [s.name, s.entityId])),
      },
      close: () => thread.close(),
    };
    return gateway;
  } catch (e) {
    // The thread, started or not (and whoever launched it), stops with the failed start.
    await launched.close();
    throw e;
  }
}

/** The NameIDFormat the stack's metadata file asks for (the local IdP keeps it), if any. */
function metadataNameIdFormat(p: StackIdentityProvider): string | undefined {
  const xml = p.details.MetadataFile;
  if (!xml) return undefined;
  const format = samlify.IdPMetadata(xml).getNameIDFormat();
  return Array.isArray(format) ? format[0] : format || undefined;
}

async function fetchJson(url: string, init?: RequestInit): Promise<Record<string, unknown>> {
  const res = await fetch(url, init);
  const body = (await res.json().catch(() => ({}))) as Record<string, unknown>;
  if (!res.ok) throw new Error(`${url}: HTTP ${res.status} ${JSON.stringify(body)}`);
  return body;
}

async function googleRp(issuer: string, provider: StackIdentityProvider, clientSecret: string): Promise<GoogleRp> {
  const discovery = await fetchJson(`${issuer}/.well-known/openid-configuration`);
  const jwks = await fetchJson(String(discovery.jwks_uri));
  const clientId = provider.details.client_id;
  const verifier = JwtRsaVerifier.create({ issuer, audience: clientId, jwksUri: String(discovery.jwks_uri) });
  verifier.cacheJwks(jwks as never);
  return {
    issuer,
    authorizationEndpoint: String(discovery.authorization_endpoint),
    tokenEndpoint: String(discovery.token_endpoint),
    userinfoEndpoint: String(discovery.userinfo_endpoint),
    clientId,
    clientSecret,
    scopes: provider.details.authorize_scopes ?? 'openid email profile',
    verifier,
  };
}

/** Cognito's side of Google: the code for tokens, the ID token verified (issuer, audience, nonce), then the userinfo. */
async function googleExchange(rp: GoogleRp, code: string, redirectUri: string, nonce: string): Promise<{ sub: string; attributes: IdpAttributes }> {
  const tokens = await fetchJson(rp.tokenEndpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: redirectUri, client_id: rp.clientId, client_secret: rp.clientSecret }),
  });
  const claims = await rp.verifier.verify(String(tokens.id_token));
  if (claims.nonce !== nonce) throw new Error('the ID token answers another sign-in (nonce mismatch)');
  const info = await fetchJson(rp.userinfoEndpoint, { headers: { authorization: `Bearer ${String(tokens.access_token)}` } });
  if (info.sub !== claims.sub) throw new Error('userinfo is about another user than the ID token');
  const attributes: IdpAttributes = Object.fromEntries(Object.entries({ ...claims, ...info }).map(([k, v]) => [k, typeof v === 'string' ? v : JSON.stringify(v)]));
  return { sub: String(claims.sub), attributes };
}

/** Cognito's side of SAML: the signed response parsed and checked (audience, InResponseTo, times). */
async function samlAssertion(s: SamlSp, params: URLSearchParams, requestId: string): Promise<{ nameId: string; attributes: IdpAttributes }> {
  const body = { SAMLResponse: params.get('SAMLResponse') ?? '', RelayState: params.get('RelayState') ?? '' };
  const { extract } = await s.sp.parseLoginResponse(s.idp, 'post', { body });
  if (extract.response?.inResponseTo !== requestId) throw new Error('the SAML response answers another request (InResponseTo)');
  const audience = extract.audience;
  if (audience !== undefined && audience !== s.sp.entityMeta.getEntityID() && !(Array.isArray(audience) && audience.includes(s.sp.entityMeta.getEntityID()))) {
    throw new Error(`the SAML assertion is for another audience (${JSON.stringify(audience)})`);
  }
  const nameId = String(extract.nameID ?? '');
  if (!nameId) throw new Error('the SAML assertion has no NameID');
  const attributes: IdpAttributes = {};
  for (const [k, v] of Object.entries((extract.attributes ?? {}) as Record<string, unknown>)) {
    attributes[k] = Array.isArray(v) ? v.map(String) : String(v);
  }
  return { nameId, attributes };
}

interface Triggers {
  /** Loaded at the first federated sign-up, not at start (its bundle carries the AWS SDK: compiling it costs start time). */
  readonly preSignUp?: () => LocalLambda;
  /** The pre-sign-up function's admission settings, as its own environment carries them. */
  readonly admission?: AdmissionSettings;
}

function loadTriggers(federation: StackFederation, stack: LocalStack, poolEndpoint: string | undefined): Triggers {
  const fn = federation.triggers.preSignUp;
  if (!fn) return {};
  const extraEnvironment: Record<string, string> = {
    // Lambda gives the function its role's credentials; locally any key works against the local pool.
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
    ...(poolEndpoint ? { AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER: poolEndpoint } : {}),
  };
  const settings = fn.environment.SOCIAL_ADMISSION !== undefined && fn.environment.ENTERPRISE_PROVIDERS !== undefined
    ? { social: JSON.parse(fn.environment.SOCIAL_ADMISSION), enterprise: JSON.parse(fn.environment.ENTERPRISE_PROVIDERS) }
    : undefined;
  let lambda: LocalLambda | undefined;
  return { preSignUp: () => (lambda ??= loadLambda(fn, { region: stack.region, extraEnvironment })), admission: settings };
}

/** For local-outputs.json only: what the deployed rule decides for a demo IdP user (the sign-in itself runs the bundle). */
function admitted(settings: AdmissionSettings | undefined, federation: StackFederation, u: IdpUser): boolean {
  if (!settings) return true;
  const provider = federation.providers.find((p) => p.name === u.idp)!;
  const userName = `${provider.name}_${provider.type === 'Google' ? 'x' : u.email}`;
  const decision = decideAdmission(
    { triggerSource: 'PreSignUp_ExternalProvider', userName, request: { userAttributes: { email: u.email } } },
    settings,
  );
  return decision.outcome !== 'refuse';
}

/** What Cognito does once the IdP vouched for someone: find or admit and create the federated user. */
async function completeSignIn(input: {
  readonly store: FederatedUserStore;
  readonly stack: LocalStack;
  readonly provider: StackIdentityProvider;
  readonly attributes: IdpAttributes;
  /** The IdP's user id when the mapping has no `username` (SAML: the NameID; Google: sub). */
  readonly providerUserIdFallback: string;
  readonly issuer: string | null;
  readonly preSignUp?: () => LocalLambda;
}): Promise<FederationResult> {
  const { provider, store } = input;
  const { userId, attributes } = mapAttributes(provider.attributeMapping, input.attributes, input.providerUserIdFallback);
  // A native user the identity was linked to (AdminLinkProviderForUser) signs in as themselves.
  const linked = await store.linkedUser(provider.name, userId);
  if (linked) return { username: linked.username };
  const username = `${provider.name}_${userId}`;
  const existing: StoredUser | undefined = await store.user(username);
  if (!existing && input.preSignUp) {
    const event: PreSignUpTriggerEvent = {
      version: '1',
      region: input.stack.region,
      userPoolId: input.stack.userPool.poolId,
      userName: username,
      callerContext: { awsSdkVersion: 'aws-sdk-unknown-unknown', clientId: input.stack.userPool.webClient.clientId },
      triggerSource: 'PreSignUp_ExternalProvider',
      request: { userAttributes: { ...attributes }, validationData: {} },
      response: { autoConfirmUser: false, autoVerifyEmail: false, autoVerifyPhone: false },
    };
    // Outside the try: a bundle that cannot load is a server_error, not a refusal.
    const preSignUp = input.preSignUp();
    try {
      await preSignUp.invoke(event);
    } catch (e) {
      return { error: 'access_denied', description: (e as Error)?.message ?? String(e) };
    }
    // Invited-only: the trigger linked the identity to an invited native user, who signs in.
    const nowLinked = await store.linkedUser(provider.name, userId);
    if (nowLinked) return { username: nowLinked.username };
  }
  const { user } = await store.saveFederatedUser({
    username,
    attributes,
    identity: { userId, providerName: provider.name, providerType: provider.type, issuer: input.issuer },
  });
  return { username: user.username };
}
