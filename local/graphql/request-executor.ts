import {
  defaultFieldResolver,
  DocumentNode,
  execute,
  FieldNode,
  getOperationAST,
  GraphQLError,
  GraphQLFieldResolver,
  GraphQLResolveInfo,
  GraphQLSchema,
  locatedError,
  OperationDefinitionNode,
  responsePathAsArray,
} from 'graphql';
import type { AuthModel, Caller } from '../../access/auth-model';
import { AppSyncErrorJson, FieldErrorSignal, toAppSyncError, unauthorizedField } from './errors';
import type { DocumentCache } from './document-cache';
import { selectionSetOf, type Fragments } from './selection-set';
import { createFieldPlans, type FieldPlan } from './field-plans';
import { installArgumentFastPath } from './argument-values';
import type { AppSyncFieldError, FieldContext, FieldResult, ResolverCode } from '../appsync-js/types';

/**
 * Runs one GraphQL request like AppSync: for every field, the auth model decides BEFORE the
 * resolver runs; a denied field becomes null plus an `Unauthorized` error and its siblings
 * still resolve. Fields with a resolver run it through the APPSYNC_JS runtime; the others
 * read the parent object's property.
 */

/** `ctx.identity` of a user pool caller, as AppSync builds it (a type, not an interface: it is a record of the runtime's `ResolverIdentity`). */
export type AppSyncIdentity = {
  readonly sub: string;
  readonly issuer: string;
  readonly username: string;
  readonly claims: Readonly<Record<string, unknown>>;
  readonly sourceIp: readonly string[];
  readonly defaultAuthStrategy: 'ALLOW';
  readonly groups: readonly string[] | null;
};

/** Who is asking, after the token verified. */
export interface RequestCaller {
  readonly caller: Caller;
  readonly identity: AppSyncIdentity;
  readonly headers: Readonly<Record<string, string>>;
}

/** The APPSYNC_JS runtime, as the endpoint uses it (it knows nothing about auth). */
export interface ResolverRuntime {
  resolveField(resolver: ResolverCode, ctx: FieldContext): Promise<FieldResult>;
}

export interface GraphqlRequest {
  readonly query: string;
  readonly variables?: Record<string, unknown> | null;
  readonly operationName?: string | null;
}

/** What a request produced: the response body and, when it ran, the operation. */
export interface ExecutionOutcome {
  readonly body: { data?: unknown; errors?: AppSyncErrorJson[] };
  readonly document?: DocumentNode;
  readonly operation?: OperationDefinitionNode;
}

export interface ExecutorOptions {
  readonly schema: GraphQLSchema;
  readonly authModel: AuthModel;
  readonly documents: DocumentCache;
  /** Resolvers by `Type.field`. */
  readonly resolvers: ReadonlyMap<string, ResolverCode>;
  readonly runtime: ResolverRuntime;
  /**
   * The API's `query_depth_limit`: a field nested deeper is null with a `QueryDepthLimitReached`
   * error and never resolved (null propagates to the nearest nullable parent, as AppSync says).
   * @default 0 (no limit, AppSync's unset)
   */
  readonly queryDepthLimit?: number;
  /**
   * The API's `resolver_count_limit`: resolver runs past it are null with AppSync's
   * `ResolverExecutionLimitReached` error. @default 10000 (AppSync's unset)
   */
  readonly resolverCountLimit?: number;
}

/** Builds `ctx` for a resolver: arguments, source, the verified identity, `info`, request headers. */
export function fieldContextOf(
  who: RequestCaller,
  parentTypeName: string,
  fieldName: string,
  field: {
    args: Record<string, unknown>;
    source: unknown;
    variables: Record<string, unknown>;
    fieldNodes: readonly FieldNode[];
    fragments: Fragments;
  },
): FieldContext {
  const selection = selectionSetOf(field.fieldNodes, field.fragments);
  return {
    arguments: field.args,
    source: field.source as FieldContext['source'],
    // Shared, not copied: the runtime gives each resolver its own copy (appsync-js/resolver-runner.ts newContext).
    identity: who.identity,
    info: {
      fieldName,
      parentTypeName,
      variables: field.variables,
      selectionSetList: selection.list,
      selectionSetGraphQL: selection.graphql,
    },
    request: { headers: who.headers, domainName: null },
  };
}

interface RequestState {
  readonly who: RequestCaller;
  /** Errors a resolver appended (`util.appendError`) beside its data. */
  readonly appended: AppSyncErrorJson[];
  /**
   * Each field's plan (field-plans.ts, cached across requests) and this caller's decision on
   * it, by graphql-js's field node list (one per selected field, reused for every item of a
   * list): the caller is fixed for the request, so a field of a 10-item list is decided once,
   * not 10 times.
   */
  readonly decided: Map<readonly FieldNode[], DecidedField>;
  /** Resolver runs so far (for the resolver count limit). */
  resolverRuns: number;
}

/** A field's plan and the request's caller's decision on it (never kept beyond the request). */
interface DecidedField {
  readonly plan: FieldPlan;
  readonly allowed: boolean;
}

export interface Executor {
  run(request: GraphqlRequest, who: RequestCaller): Promise<ExecutionOutcome>;
}

export function createExecutor(options: ExecutorOptions): Executor {
  installArgumentFastPath();
  const depthLimit = options.queryDepthLimit ?? 0;
  const resolverLimit = options.resolverCountLimit ?? 10_000;
  // What follows from the document and schema alone is planned once per field of a cached document.
  const plans = createFieldPlans({ authModel: options.authModel, resolvers: options.resolvers, depthLimit });

  async function runResolver(resolver: ResolverCode, source: unknown, args: Record<string, unknown>, state: RequestState, info: GraphQLResolveInfo) {
    const ctx = fieldContextOf(state.who, info.parentType.name, info.fieldName, {
      args,
      source,
      variables: info.variableValues,
      fieldNodes: info.fieldNodes,
      fragments: info.fragments,
    });
    const outcome = await options.runtime.resolveField(resolver, ctx);
    if (outcome.errors.length === 0) return outcome.data;
    const located = (e: AppSyncFieldError) => toAppSyncError(locatedError(new FieldErrorSignal(e), info.fieldNodes, responsePathAsArray(info.path)));
    const aborted = outcome.data === null || outcome.data === undefined;
    const [first, ...rest] = outcome.errors;
    // util.error: the field is null with that error; util.appendError: data AND errors.
    state.appended.push(...(first && aborted ? rest : outcome.errors).map(located));
    if (first && aborted) throw new FieldErrorSignal(first);
    return outcome.data;
  }

  function decidedField(state: RequestState, info: GraphQLResolveInfo): DecidedField {
    const known = state.decided.get(info.fieldNodes);
    // The node list identifies the field; the parent type check keeps that an optimization only.
    if (known !== undefined && known.plan.parentType === info.parentType) return known;
    const plan = plans.planOf(info);
    // The per-identity part, every request: this request's verified caller, never a cached answer.
    const decided: DecidedField = { plan, allowed: plan.decide(state.who.caller).allowed };
    state.decided.set(info.fieldNodes, decided);
    return decided;
  }

  const fieldResolver: GraphQLFieldResolver<unknown, RequestState> = (source, args, state, info) => {
    const { plan, allowed } = decidedField(state, info);
    if (plan.tooDeep) {
      throw new FieldErrorSignal({
        message: `Query depth limit of ${depthLimit} reached: ${info.fieldName} is nested deeper.`,
        errorType: 'QueryDepthLimitReached',
      });
    }
    if (!allowed) {
      // AppSync never runs the resolver of a denied field.
      throw unauthorizedField(info.parentType.name, info.fieldName);
    }
    if (plan.resolver === undefined) return defaultFieldResolver(source, args, state, info);
    if (++state.resolverRuns > resolverLimit) {
      throw new FieldErrorSignal({ message: 'Resolver invocation limit reached.', errorType: 'ResolverExecutionLimitReached' });
    }
    return runResolver(plan.resolver, source, args, state, info);
  };

  return {
    async run(request, who) {
      const prepared = options.documents.prepare(request.query);
      if (!prepared.ok) return { body: { data: null, errors: prepared.errors.map(toAppSyncError) } };
      const operation = getOperationAST(prepared.document, request.operationName ?? undefined);
      if (!operation) {
        const message = request.operationName
          ? `Unknown operation named "${request.operationName}".`
          : 'Must provide operation name if query contains multiple operations.';
        return { body: { data: null, errors: [toAppSyncError(new GraphQLError(message))] } };
      }
      if (operation.operation === 'subscription') {
        const message = 'Subscriptions are served over the real-time endpoint (<graphql url>/realtime), not over HTTP POST.';
        return { body: { data: null, errors: [toAppSyncError(new GraphQLError(message))] } };
      }
      const state: RequestState = { who, appended: [], decided: new Map(), resolverRuns: 0 };
      const result = (await execute({
        schema: options.schema,
        document: prepared.document,
        operationName: request.operationName ?? undefined,
        variableValues: request.variables ?? undefined,
        contextValue: state,
        fieldResolver,
      }));
      const errors = [...(result.errors ?? []).map(toAppSyncError), ...state.appended];
      const body = errors.length ? { data: result.data ?? null, errors } : { data: result.data ?? null };
      return { body, document: prepared.document, operation };
    },
  };
}
