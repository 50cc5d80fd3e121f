import type { GraphQLSchema } from 'graphql';
import type { ResolvedConfig } from '../config';
import { loadAppSyncSchema } from './appsync-schema';
import { ApiAuthConfig, AuthModel, createAuthModel } from './auth-model';

/**
 * The API's auth modes as the project configures them: user pools by default (every caller
 * is a pool user unless it is a named IAM caller), IAM added only when IAM callers exist.
 * The GraphQL API construct configures AppSync from this same function.
 */
export function apiAuthFromConfig(config: { readonly api: Pick<ResolvedConfig['api'], 'iamCallers'> }): ApiAuthConfig {
  const callers = config.api.iamCallers;
  return {
    defaultMode: 'AMAZON_COGNITO_USER_POOLS',
    additionalModes: callers.length ? ['AWS_IAM'] : [],
    iamGrants: Object.fromEntries(callers.map((c) => [c.name, c.fields])),
  };
}

/** A schema's auth model under the config's API modes. */
export function authModelFor(config: Parameters<typeof apiAuthFromConfig>[0], schema: GraphQLSchema): AuthModel {
  return createAuthModel(schema, apiAuthFromConfig(config));
}

/** The project's auth model: `schema.graphql` under the config's API modes. */
export function projectAuthModel(config: Pick<ResolvedConfig, 'api'>, schemaFile: string): AuthModel {
  return authModelFor(config, loadAppSyncSchema(schemaFile).schema);
}
