import { readFileSync } from 'node:fs';
import { buildSchema, GraphQLSchema } from 'graphql';

/**
 * AppSync's built-in scalars and directives. AppSync rejects a schema that declares them, so
 * `schema.graphql` does not; every tool that parses the schema with graphql-js adds them here.
 */
const APPSYNC_PRELUDE = `
scalar AWSDate
scalar AWSTime
scalar AWSDateTime
scalar AWSTimestamp
scalar AWSEmail
scalar AWSJSON
scalar AWSURL
scalar AWSPhone
scalar AWSIPAddress
directive @aws_cognito_user_pools(cognito_groups: [String]) on OBJECT | FIELD_DEFINITION
directive @aws_iam on OBJECT | FIELD_DEFINITION
directive @aws_api_key on OBJECT | FIELD_DEFINITION
directive @aws_oidc on OBJECT | FIELD_DEFINITION
directive @aws_lambda on OBJECT | FIELD_DEFINITION
directive @aws_auth(cognito_groups: [String]) on FIELD_DEFINITION
directive @aws_subscribe(mutations: [String]) on FIELD_DEFINITION
`;

/** Lines the prelude adds before the schema text: subtract from graphql-js line numbers. */
export const PRELUDE_LINES = APPSYNC_PRELUDE.split('\n').length - 1;

/** Path of the project's schema, relative to the repository root. */
export const SCHEMA_FILE = 'schema.graphql';

/** Parses AppSync SDL (without the prelude) into an executable-shape graphql-js schema. */
export function buildAppSyncSchema(sdl: string): GraphQLSchema {
  return buildSchema(APPSYNC_PRELUDE + sdl);
}

/** Reads and parses a schema file. */
export function loadAppSyncSchema(file: string = SCHEMA_FILE): { sdl: string; schema: GraphQLSchema } {
  const sdl = readFileSync(file, 'utf8');
  return { sdl, schema: buildAppSyncSchema(sdl) };
}
