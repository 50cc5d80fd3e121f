import type { IncomingMessage, ServerResponse } from 'node:http';

/**
 * What the managed login hands `identity_provider=` / `idp_identifier=` sign-ins to: the
 * federation gateway (local/federation/, the local Google and CorpSAML IdPs). The shape is the
 * contract between the two sides; this module only declares it.
 *
 * `onResult` answers the browser: the managed login turns a `{ username }` into an
 * authorization code for the pending request the `state` names (or an error redirect), and
 * writes the response. A gateway that calls `onResult` writes nothing more to `res`.
 */
export interface FederationGateway {
  readonly providerNames: readonly string[]; // from the synthesized stack
  /** idp_identifier routing: the provider whose identifiers include this email domain (or identifier). */
  providerForIdentifier(identifier: string): string | undefined;
  /** Where to send the browser to sign in at the IdP; `state` is opaque and comes back in onResult. */
  authorizeUrl(provider: string, state: string): string;
  /** Handles GET/POST /oauth2/idpresponse and POST /saml2/idpresponse mounted on the managed-login
   *  server (whose origin is passed at start as `redirectBase`). Returns false when the path is not its own. */
  handle(
    req: IncomingMessage,
    res: ServerResponse,
    onResult: (state: string, result: { username: string } | { error: 'access_denied' | 'server_error'; description: string }) => void,
  ): boolean;
  close(): Promise<void>;
}
