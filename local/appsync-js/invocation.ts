/**
 * The state of the resolver currently being evaluated, and the signals its handlers raise.
 *
 * A bundle's `import { util }` is bound once, when the module loads, but `util.appendError`
 * and `util.unauthorized` act on the field being resolved. Handlers are synchronous (APPSYNC_JS
 * has no async code), so exactly one handler runs at a time: `runHandler` points `current` at
 * the field's state for the duration of the call.
 */
import type { AppSyncFieldError, ResolverExtensions, ResolverIdentity } from './types';

export interface InvocationState {
  typeName: string;
  fieldName: string;
  identity: ResolverIdentity;
  /** Errors recorded by util.appendError; they do not abort. */
  appended: AppSyncFieldError[];
  extensions: ResolverExtensions;
}

/** util.error / util.unauthorized: aborts the resolver; the field resolves to null. */
export class ResolverErrorSignal extends Error {
  constructor(readonly fieldError: AppSyncFieldError) {
    super(fieldError.message);
    this.name = 'ResolverErrorSignal';
  }
}

export type SkipTo = 'END' | 'NEXT';

/** runtime.earlyReturn: ends the current handler with `value`. */
export class EarlyReturnSignal extends Error {
  constructor(
    readonly value: unknown,
    readonly skipTo: SkipTo | undefined,
  ) {
    super('runtime.earlyReturn');
    this.name = 'EarlyReturnSignal';
  }
}

let current: InvocationState | undefined;

/** The state of the handler now running; util functions called outside a handler are a bug. */
export function currentInvocation(): InvocationState {
  if (!current) {
    throw new Error('An @aws-appsync/utils function was called outside a resolver handler');
  }
  return current;
}

export type HandlerOutcome = { early: false; value: unknown } | { early: true; value: unknown; skipTo: SkipTo | undefined };

/** Calls one request/response handler with `state` as the current invocation. */
export function runHandler(state: InvocationState, handler: (ctx: unknown) => unknown, ctx: unknown): HandlerOutcome {
  const previous = current;
  current = state;
  try {
    return { early: false, value: handler(ctx) };
  } catch (err) {
    if (err instanceof EarlyReturnSignal) {
      return { early: true, value: err.value, skipTo: err.skipTo };
    }
    throw err;
  } finally {
    current = previous;
  }
}
