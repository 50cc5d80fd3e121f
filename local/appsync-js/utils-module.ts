/**
 * The local implementation of `@aws-appsync/utils` (the npm package ships types only): the
 * `util`, `runtime` and `extensions` objects a bundle imports, with AppSync's semantics.
 * Anything not implemented here fails loudly, naming itself, instead of returning undefined.
 */
import { randomUUID } from 'node:crypto';
import { toDynamoDB, toMapValues, typedConverters } from './attribute-values';
import { currentInvocation, EarlyReturnSignal, ResolverErrorSignal } from './invocation';
import type { SkipTo } from './invocation';
import { jsonCopy } from './json';

/** The errorType AppSync-like errors get when `util.error` names none. */
const DEFAULT_ERROR_TYPE = 'CustomTemplateException';

export interface UtilsModule {
  util: Record<string, unknown>;
  runtime: Record<string, unknown>;
  extensions: Record<string, unknown>;
}

/** Builds the module for one runtime; `clock` drives every `util.time` function. */
export function createUtilsModule(clock: () => number): UtilsModule {
  const fieldError = (message: unknown, errorType?: unknown, data?: unknown, errorInfo?: unknown) => ({
    message: String(message),
    errorType: errorType === undefined || errorType === null ? DEFAULT_ERROR_TYPE : String(errorType),
    data: data === undefined ? null : jsonCopy(data),
    errorInfo: errorInfo === undefined ? null : jsonCopy(errorInfo),
  });

  const earlyReturn = (value?: unknown, options?: { skipTo?: SkipTo }) => {
    throw new EarlyReturnSignal(value === undefined ? null : jsonCopy(value), options?.skipTo);
  };

  const util = {
    error(message: unknown, errorType?: unknown, data?: unknown, errorInfo?: unknown): never {
      throw new ResolverErrorSignal(fieldError(message, errorType, data, errorInfo));
    },
    appendError(message: unknown, errorType?: unknown, data?: unknown, errorInfo?: unknown): void {
      currentInvocation().appended.push(fieldError(message, errorType, data, errorInfo));
    },
    unauthorized(): never {
      const { typeName, fieldName } = currentInvocation();
      throw new ResolverErrorSignal({
        message: `Not Authorized to access ${fieldName} on type ${typeName}`,
        errorType: 'Unauthorized',
        data: null,
        errorInfo: null,
      });
    },
    autoId: (): string => randomUUID(),
    authType: (): string => authType(currentInvocation().identity),
    matches: (pattern: string, value: string): boolean => new RegExp(`^(?:${pattern})$`).test(value),
    escapeJavaScript: (value: string): string => JSON.stringify(String(value)).slice(1, -1),
    urlEncode: (value: string): string => encodeURIComponent(value),
    urlDecode: (value: string): string => decodeURIComponent(value.replace(/\+/g, ' ')),
    base64Encode: (value: string): string => Buffer.from(value, 'utf8').toString('base64'),
    base64Decode: (value: string): string => Buffer.from(value, 'base64').toString('utf8'),
    time: strict('util.time', {
      nowISO8601: (): string => new Date(clock()).toISOString(),
      nowEpochSeconds: (): number => Math.floor(clock() / 1000),
      nowEpochMilliSeconds: (): number => clock(),
      parseISO8601ToEpochMilliSeconds: (timestamp: string): number => parseIso(timestamp),
      epochMilliSecondsToSeconds: (ms: number): number => Math.floor(ms / 1000),
      epochMilliSecondsToISO8601: (ms: number): string => new Date(ms).toISOString(),
    }),
    dynamodb: strict('util.dynamodb', {
      toDynamoDB: (value: unknown) => toDynamoDB(jsonCopy(value)),
      toMapValues: (value: Record<string, unknown>) => toMapValues(jsonCopy(value)),
      ...typedConverters,
    }),
  };

  const extensions = {
    setSubscriptionFilter(filter: unknown): void {
      currentInvocation().extensions.subscriptionFilter = jsonCopy(filter);
    },
    setSubscriptionInvalidationFilter(filter: unknown): void {
      currentInvocation().extensions.subscriptionInvalidationFilter = jsonCopy(filter);
    },
    invalidateSubscriptions(invalidation: unknown): void {
      const state = currentInvocation().extensions;
      state.invalidateSubscriptions = [...(state.invalidateSubscriptions ?? []), jsonCopy(invalidation)];
    },
    // The local mode has no server-side cache, so there is nothing to evict.
    evictFromApiCache(): void {},
    earlyReturn,
  };

  return {
    util: strict('util', util),
    runtime: strict('runtime', { earlyReturn }),
    extensions: strict('extensions', extensions),
  };
}

function parseIso(timestamp: string): number {
  const ms = Date.parse(timestamp);
  if (Number.isNaN(ms)) {
    throw new ResolverErrorSignal({ message: `Invalid ISO8601 timestamp: ${timestamp}`, errorType: 'Code', data: null, errorInfo: null });
  }
  return ms;
}

/** AppSync's names for the auth mode, told apart by the identity's shape. */
function authType(identity: Record<string, unknown> | null): string {
  if (!identity) return 'API Key Authorization';
  if (Object.hasOwn(identity, 'resolverContext')) return 'Lambda Authorization';
  if (Object.hasOwn(identity, 'accountId') || Object.hasOwn(identity, 'userArn')) return 'IAM Authorization';
  if (String(identity.issuer ?? '').includes('cognito-idp')) return 'User Pool Authorization';
  return 'Open ID Connect Authorization';
}

/** Wraps a utils object so a property the local runtime lacks fails with its full name. */
function strict<T extends object>(name: string, target: T): T {
  return new Proxy(target, {
    get(obj, key, receiver) {
      if (typeof key === 'symbol' || Object.hasOwn(obj, key) || key === 'toJSON' || key === 'then') {
        return Reflect.get(obj, key, receiver);
      }
      throw new Error(`${name}.${key} is not implemented by the local APPSYNC_JS runtime (local/appsync-js/utils-module.ts)`);
    },
  });
}
