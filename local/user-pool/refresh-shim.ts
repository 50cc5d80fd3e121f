import type { Route, Router } from './cognito-local-adapter';

/** The target aws-amplify v6 refreshes tokens with; cognito-local 5.3.0 does not implement it. */
const GET_TOKENS_FROM_REFRESH_TOKEN = 'GetTokensFromRefreshToken';

interface GetTokensFromRefreshTokenRequest {
  readonly RefreshToken?: string;
  readonly ClientId?: string;
  readonly ClientMetadata?: Record<string, string>;
}

interface AuthenticationResult {
  readonly AccessToken?: string;
  readonly IdToken?: string;
  readonly RefreshToken?: string;
}

/** A JWT's lifetime (`exp - iat`), what Cognito reports as `ExpiresIn`. */
function lifetimeSeconds(jwt: string | undefined): number | undefined {
  if (!jwt) return undefined;
  const claims = JSON.parse(Buffer.from(jwt.split('.')[1] ?? '', 'base64url').toString('utf8')) as { exp?: number; iat?: number };
  return claims.exp !== undefined && claims.iat !== undefined ? claims.exp - claims.iat : undefined;
}

/**
 * Adds `GetTokensFromRefreshToken` to a cognito-local router by answering it as
 * `InitiateAuth` with `REFRESH_TOKEN_AUTH` (same user lookup, same token generator, same
 * errors). Without refresh-token rotation (not configured in this stack) the deployed
 * service returns no new refresh token either, so the client keeps the one it has.
 */
export function withRefreshTokenShim(router: Router): Router {
  return (target: string): Route => {
    if (target !== GET_TOKENS_FROM_REFRESH_TOKEN) return router(target);
    const initiateAuth = router('InitiateAuth');
    return async (ctx, req: GetTokensFromRefreshTokenRequest) => {
      const out = (await initiateAuth(ctx, {
        AuthFlow: 'REFRESH_TOKEN_AUTH',
        ClientId: req.ClientId,
        AuthParameters: { REFRESH_TOKEN: req.RefreshToken },
        ClientMetadata: req.ClientMetadata,
      })) as { AuthenticationResult?: AuthenticationResult };
      const result = out.AuthenticationResult ?? {};
      return {
        AuthenticationResult: {
          AccessToken: result.AccessToken,
          IdToken: result.IdToken,
          ExpiresIn: lifetimeSeconds(result.AccessToken),
          TokenType: 'Bearer',
        },
      };
    };
  };
}
