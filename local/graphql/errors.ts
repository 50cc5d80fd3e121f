import { GraphQLError } from 'graphql';
import type { AppSyncFieldError } from '../appsync-js/types';

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
 * Thrown by a graphql-js field resolver to make the field null with `fieldError` (the runtime's
 * field error, or the endpoint's own `Unauthorized`); its `errorType`, `data` and `errorInfo`
 * surface in the response. It is an expected outcome (a denied field), not a bug: it carries no
 * stack trace, whose capture and formatting (graphql-js copies it) would otherwise cost more
 * than the request.
 */
export class FieldErrorSignal extends Error {
  constructor(readonly fieldError: AppSyncFieldError) {
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    try {
      super(fieldError.message);
    } finally {
      Error.stackTraceLimit = limit;
    }
    this.name = 'FieldErrorSignal';
  }
}

/** The error AppSync gives a field the caller may not read (the resolver is never run). */
export function unauthorizedField(typeName: string, fieldName: string): FieldErrorSignal {
  return new FieldErrorSignal({ message: `Not Authorized to access ${fieldName} on type ${typeName}`, errorType: 'Unauthorized', data: null, errorInfo: null });
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
  const appsync = original instanceof FieldErrorSignal ? original.fieldError : undefined;
  return {
    path: error.path,
    data: appsync ? (appsync.data ?? null) : null,
    errorType: appsync ? (appsync.errorType ?? null) : error.path ? null : errorTypeOf(error),
    errorInfo: appsync ? (appsync.errorInfo ?? null) : null,
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
