import * as path from 'node:path';
import { allResources } from '../access/terraform-json';
import { FEDERATION_KEYS_DIR, prepareSigningKey, SAML_SP_KEY } from './federation/idp-keys';
import type { StackFederation } from './federation/stack-federation';
import { IDENTITY_POOL_DIR, prepareOpenIdKey } from './identity-pool/openid-token';
import { readStackJson, type LocalStack } from './stack-reader';

/**
 * Starts making the RSA keys this thread's local mode will need and does not keep yet (a first
 * start, or after --reset): the identity pool's OpenID signing key when the stack has an identity
 * pool, the SAML service provider's key when it has a SAML provider. They are made on libuv's pool
 * (local/rsa-keys.ts) while the caller goes on starting; the code that writes each file takes its
 * key. The IdP thread makes its IdPs' keys itself, as it is launched.
 *
 * startLocalMode calls it before it starts the user pool and DynamoDB, whose start leaves this
 * thread waiting. Not earlier, beside `npm start`'s module loading: on two cores that loading, the
 * IdP thread's and DynamoDB's thread's keep both cores busy already, and keys started then made the
 * first start slower (0.08 s, paired median of 22 A/B rounds).
 */
export function prepareStartKeys(stack: Pick<LocalStack, 'source'>, federation: Pick<StackFederation, 'providers'>, dataDir: string): void {
  if (allResources(readStackJson(stack.source)).some((r) => r.type === 'aws_cognito_identity_pool')) {
    prepareOpenIdKey(path.join(dataDir, IDENTITY_POOL_DIR));
  }
  if (federation.providers.some((p) => p.type === 'SAML')) prepareSigningKey(path.join(dataDir, FEDERATION_KEYS_DIR), SAML_SP_KEY);
}
