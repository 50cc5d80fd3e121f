import { GraphQLError } from 'graphql';

/**
 * Errors in AppSync's shape. AppSync adds `errorType`, `data` and `errorInfo` to each GraphQL
 * error; clients (aws-amplify, the browser page) read `errorType` to tell a denied field from
 * a resolver failure, so the local endpoint reproduces that shape exactly.
 */

/** An AppSync error as it appears in a response's `errors` list. */
export interface AppSyncErrorJson {
  message: string;
  errorType: string | null;
  data: unknown;
  errorInfo: unknown;
  path?: readonly (string | number)[];
  locations?: readonly { line: number; column: number }[];
}

/**
 * Thrown by a field resolver; `errorType`, `data`, `errorInfo` surface in the response.
 * It is an expected outcome (a denied field), not a bug: it carries no stack trace, whose
 * capture and formatting (graphql-js copies it) would otherwise cost more than the request.
 */
export class AppSyncFieldError extends Error {
  readonly errorType: string | null;
  readonly data: unknown;
  readonly errorInfo: unknown;
  constructor(message: string, errorType: string | null, data: unknown = null, errorInfo: unknown = null) {
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    try {
      super(message);
    } finally {
      Error.stackTraceLimit = limit;
    }
    this.name = 'AppSyncFieldError';
    this.errorType = errorType;
    this.data = data;
    this.errorInfo = errorInfo;
  }
}

/** The error AppSync gives a field the caller may not read (the resolver is never run). */
export function unauthorizedField(typeName: string, fieldName: string): AppSyncFieldError {
  return new AppSyncFieldError(`Not Authorized to access ${fieldName} on type ${typeName}`, 'Unauthorized');
}

/** A request refused before execution: HTTP 401, `errors` only, no `data` (AppSync's shape). */
export class RequestUnauthorizedError extends Error {
  readonly errorType = 'UnauthorizedException';
  constructor(message: string) {
    super(message);
    this.name = 'RequestUnauthorizedError';
  }
}

/** Renders a graphql-js error (validation, execution) in AppSync's shape. */
export function toAppSyncError(error: GraphQLError): AppSyncErrorJson {
  const original = error.originalError;
  const appsync = original instanceof AppSyncFieldError ? original : undefined;
  return {
    path: error.path,
    data: appsync ? appsync.data : null,
    errorType: appsync ? appsync.errorType : error.path ? null : errorTypeOf(error),
    errorInfo: appsync ? appsync.errorInfo : null,
    locations: error.locations,
    message: error.message,
  };
}

/** AppSync reports a malformed or invalid document as a `ValidationError`/`MalformedHttpRequestException`. */
function errorTypeOf(error: GraphQLError): string {
  return error.message.startsWith('Syntax Error') ? 'MalformedHttpRequestException' : 'ValidationError';
}

/** The body of a refused request: `{"errors":[{"errorType":"UnauthorizedException","message":...}]}`. */
export function refusalBody(error: RequestUnauthorizedError): string {
  return JSON.stringify({ errors: [{ errorType: error.errorType, message: error.message }] });
}
