import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { allResources, resourceKey, resourceReference, singleBlock, type TerraformResource } from '../../access/terraform-json';
import { readStackJson, StackReadError, type LocalStack } from '../stack-reader';
import { FEDERATION_KEYS_DIR } from './idp-keys';
import type { IdpThreadPreparation } from './idp-protocol';

/**
 * What federation runs, read from the synthesized stack (never from the config): each
 * `aws_cognito_identity_provider` (name, type, attribute mapping, idp_identifiers, details)
 * and the user pool's `lambda_config` with each trigger's `aws_lambda_function` (zip,
 * handler, environment variables).
 */

export interface StackIdentityProvider {
  readonly name: string;
  /** `Google`, `SAML`, `OIDC`, ... */
  readonly type: string;
  /** Cognito attribute -> IdP attribute (`username` names the IdP's user id). */
  readonly attributeMapping: Readonly<Record<string, string>>;
  /** `idp_identifiers`: routed to this provider by `idp_identifier` (email domains). */
  readonly identifiers: readonly string[];
  /** `provider_details` with references left as they are (`${var.google_client_secret}`). */
  readonly details: Readonly<Record<string, string>>;
}

export interface StackLambdaFunction {
  /** `aws_lambda_function.<logicalName>`. */
  readonly logicalName: string;
  readonly functionName: string;
  /** The deployment zip, absolute. */
  readonly zipFile: string;
  /** `index.handler`: file (without `.js`) and export. */
  readonly handler: string;
  readonly runtime: string;
  readonly environment: Readonly<Record<string, string>>;
  /** Seconds (`timeout`, Lambda's default 3). */
  readonly timeoutSeconds: number;
}

export interface StackTriggers {
  readonly preSignUp?: StackLambdaFunction;
  /** With `pre_token_generation_config.lambda_version` (V1_0 when only `pre_token_generation` is set). */
  readonly preTokenGeneration?: { readonly fn: StackLambdaFunction; readonly version: 'V1_0' | 'V2_0' | 'V3_0' };
}

export interface StackFederation {
  readonly providers: readonly StackIdentityProvider[];
  readonly triggers: StackTriggers;
  /** The stack file, for messages. */
  readonly source: string;
}

const stringRecord = (v: unknown): Record<string, string> =>
  v && typeof v === 'object' ? Object.fromEntries(Object.entries(v as Record<string, unknown>).map(([k, x]) => [k, String(x)])) : {};

/** Reads the identity providers and triggers of the stack `stack` was read from. */
export function readStackFederation(stack: Pick<LocalStack, 'source'>): StackFederation {
  const source = stack.source;
  const resources = allResources(readStackJson(source));

  const providers = resources
    .filter((r) => r.type === 'aws_cognito_identity_provider')
    .map((r): StackIdentityProvider => {
      const name = r.body.provider_name;
      if (typeof name !== 'string' || name === '') throw new StackReadError(source, resourceKey(r, 'provider_name'), name, 'a provider name');
      const ids = r.body.idp_identifiers ?? [];
      if (!Array.isArray(ids)) throw new StackReadError(source, resourceKey(r, 'idp_identifiers'), ids, 'a list of strings');
      return {
        name,
        type: String(r.body.provider_type),
        attributeMapping: stringRecord(r.body.attribute_mapping),
        identifiers: ids.map(String),
        details: stringRecord(r.body.provider_details),
      };
    });

  const pools = resources.filter((r) => r.type === 'aws_cognito_user_pool');
  if (pools.length !== 1) throw new StackReadError(source, 'resource.aws_cognito_user_pool', pools.map((p) => p.name), 'exactly one user pool');
  const pool = pools[0];
  const config = singleBlock(pool.body.lambda_config) ?? {};
  const fn = (field: string, ref: unknown): StackLambdaFunction => {
    const target = resourceReference(ref);
    const r = target?.type === 'aws_lambda_function' ? resources.find((x) => x.type === target.type && x.name === target.name) : undefined;
    if (!r) throw new StackReadError(source, resourceKey(pool, `lambda_config.${field}`), ref, 'a reference to an aws_lambda_function of this stack');
    return lambdaFunction(source, r);
  };
  const preTokenConfig = singleBlock(config.pre_token_generation_config);
  const preTokenRef = preTokenConfig?.lambda_arn ?? config.pre_token_generation;
  const version = (preTokenConfig?.lambda_version ?? 'V1_0') as string;
  if (version !== 'V1_0' && version !== 'V2_0' && version !== 'V3_0') {
    throw new StackReadError(source, resourceKey(pool, 'lambda_config.pre_token_generation_config.lambda_version'), version, 'V1_0, V2_0 or V3_0');
  }
  return {
    source,
    providers,
    triggers: {
      preSignUp: config.pre_sign_up === undefined ? undefined : fn('pre_sign_up', config.pre_sign_up),
      preTokenGeneration:
        preTokenRef === undefined ? undefined : { fn: fn('pre_token_generation_config.lambda_arn', preTokenRef), version },
    },
  };
}

function lambdaFunction(source: string, r: TerraformResource): StackLambdaFunction {
  const key = (field: string) => resourceKey(r, field);
  const filename = r.body.filename;
  if (typeof filename !== 'string') throw new StackReadError(source, key('filename'), filename, 'a deployment zip beside the stack (assets/...)');
  // cdktf writes asset paths relative to the stack's directory.
  const zipFile = path.resolve(path.dirname(source), filename);
  if (!existsSync(zipFile)) throw new StackReadError(source, key('filename'), filename, `a zip that exists (looked at ${zipFile}): run \`npm run synth\``);
  const handler = r.body.handler;
  if (typeof handler !== 'string' || !/^[\w./-]+\.[A-Za-z_$][\w$]*$/.test(handler)) {
    throw new StackReadError(source, key('handler'), handler, '<file>.<export>, e.g. index.handler');
  }
  const runtime = String(r.body.runtime ?? '');
  if (!runtime.startsWith('nodejs')) throw new StackReadError(source, key('runtime'), runtime, 'a nodejs runtime (the local mode runs triggers in Node)');
  const variables = singleBlock(r.body.environment)?.variables ?? {};
  for (const [k, v] of Object.entries(variables as Record<string, unknown>)) {
    if (typeof v !== 'string' || v.includes('${')) {
      throw new StackReadError(source, key(`environment.variables.${k}`), v, 'a literal string (the local mode resolves no references here)');
    }
  }
  const timeout = r.body.timeout ?? 3;
  if (typeof timeout !== 'number') throw new StackReadError(source, key('timeout'), timeout, 'a number of seconds');
  return {
    logicalName: r.name,
    functionName: String(r.body.function_name),
    zipFile,
    handler,
    runtime,
    environment: stringRecord(variables),
    timeoutSeconds: timeout,
  };
}

/** What the identity-provider thread loads for the stack's providers that have a local stand-in, before it starts them. */
export function idpThreadPreparation(federation: StackFederation, dataDir: string): IdpThreadPreparation {
  const providers = federation.providers.filter(hasStandIn);
  return {
    keysDir: path.join(dataDir, FEDERATION_KEYS_DIR),
    google: providers.some((p) => p.type === 'Google'),
    saml: providers.filter((p) => p.type === 'SAML').map((p) => p.name),
  };
}

/** Whether the local mode has a stand-in IdP for this provider's type. */
export function hasStandIn(p: Pick<StackIdentityProvider, 'type'>): boolean {
  return p.type === 'Google' || p.type === 'SAML';
}
