/**
 * Runs one field's resolver the way AppSync does.
 *
 * UNIT:     request -> data source -> response.
 * PIPELINE: before (the resolver's request) -> each function (request -> data source ->
 *           response, its return value becoming ctx.prev.result) -> after (the resolver's response).
 *
 * util.error aborts the whole resolver: the field is null and its errors are the appended ones
 * plus this one. runtime.earlyReturn ends the current handler with its value: in a unit or
 * pipeline request handler the data source and the functions are skipped and the response handler
 * runs with it as ctx.result / ctx.prev.result, except a unit request, whose value is the field's
 * result directly (AWS docs: the response handler is skipped); in a function request handler the
 * data source and response are skipped and the next function runs, or with { skipTo: 'END' } the
 * after handler.
 */
import { EarlyReturnSignal, ResolverErrorSignal, runHandler } from './invocation';
import type { HandlerOutcome, InvocationState } from './invocation';
import { jsonCopy } from './json';
import type { ModuleLoader } from './module-loader';
import type { DataSourceInvoker } from './data-sources/types';
import { RequestShapeError } from './data-sources/types';
import type { AppSyncFieldError, FieldContext, FieldResult, ResolverCode } from './types';

/** The `ctx` object handlers receive (one per field; stash shared across the pipeline). */
interface ResolverContext {
  arguments: Record<string, unknown>;
  args: Record<string, unknown>;
  source: Record<string, unknown> | null;
  identity: unknown;
  request: { headers: Record<string, string>; domainName: string | null };
  info: FieldContext['info'];
  env: Readonly<Record<string, string>>;
  stash: Record<string, unknown>;
  prev?: { result: unknown };
  result?: unknown;
  error?: { message: string; type: string };
}

export interface ResolverRunnerDeps {
  loader: ModuleLoader;
  dataSource(name: string, resolverName: string): DataSourceInvoker;
  env: Readonly<Record<string, string>>;
}

export async function executeResolver(deps: ResolverRunnerDeps, resolver: ResolverCode, field: FieldContext): Promise<FieldResult> {
  const name = `${resolver.typeName}.${resolver.fieldName}`;
  const state: InvocationState = {
    typeName: resolver.typeName,
    fieldName: resolver.fieldName,
    identity: field.identity ?? null,
    appended: [],
    extensions: {},
  };
  // Load first: code AppSync would refuse is a deployment error, thrown, not a field error.
  const main = deps.loader.load(name, resolver.code);
  const functions = (resolver.functions ?? []).map((fn) => ({
    name: fn.name,
    dataSource: fn.dataSource,
    ...deps.loader.load(`${name} function ${fn.name}`, fn.code),
  }));
  if (resolver.kind === 'PIPELINE' && functions.length === 0) {
    throw new Error(`${name}: a PIPELINE resolver needs functions`);
  }
  const ctx = newContext(field, deps.env);
  const run = (handler: (c: unknown) => unknown): HandlerOutcome => runHandler(state, handler, ctx);

  try {
    let data: unknown;
    if (resolver.kind === 'UNIT') {
      if (!resolver.dataSource) throw new Error(`${name}: a UNIT resolver needs a data source`);
      data = await runStep(deps, name, resolver.dataSource, main, ctx, run, true);
    } else {
      data = await runPipeline(deps, name, main, functions, ctx, run);
    }
    // The field's value leaves the VM: plain JSON of this realm, as AppSync serializes it.
    return finish(state, jsonCopy(data), []);
  } catch (err) {
    return finish(state, null, [toFieldError(name, err)]);
  }
}

type Run = (handler: (c: unknown) => unknown) => HandlerOutcome;
type Loaded = { request: (c: unknown) => unknown; response: (c: unknown) => unknown };

/**
 * request -> data source -> response for a unit resolver or one pipeline function.
 * Returns the step's value, or a StepEnd when a function asked to skip to the end.
 */
async function runStep(deps: ResolverRunnerDeps, name: string, dataSource: string, module: Loaded, ctx: ResolverContext, run: Run, unit: boolean): Promise<unknown> {
  ctx.result = undefined;
  ctx.error = undefined;
  const request = run(module.request);
  if (request.early) {
    return unit ? request.value : stepEnd(request);
  }
  // The request object leaves the VM: the data source reads it as JSON (undefined fields gone).
  const outcome = await deps.dataSource(dataSource, name).invoke(jsonCopy(request.value));
  // No copy: data sources answer with fresh plain JSON nobody else holds (DataSourceOutcome).
  ctx.result = outcome.result;
  ctx.error = outcome.error;
  const response = run(module.response);
  return unit ? response.value : stepEnd(response);
}

/** A function's value, and whether the pipeline should skip to its after handler. */
class StepEnd {
  constructor(
    readonly value: unknown,
    readonly skipToEnd: boolean,
  ) {}
}

function stepEnd(outcome: HandlerOutcome): StepEnd {
  return new StepEnd(outcome.value, outcome.early && outcome.skipTo === 'END');
}

async function runPipeline(
  deps: ResolverRunnerDeps,
  name: string,
  main: Loaded,
  functions: (Loaded & { name: string; dataSource: string })[],
  ctx: ResolverContext,
  run: Run,
): Promise<unknown> {
  const before = run(main.request);
  // A handler's value is VM-made and may still be reachable (e.g. from ctx.stash): the next
  // step gets its own JSON copy, as AppSync hands values between steps.
  ctx.prev = { result: jsonCopy(before.value) };
  if (!before.early) {
    for (const fn of functions) {
      const step = (await runStep(deps, `${name} function ${fn.name}`, fn.dataSource, fn, ctx, run, false)) as StepEnd;
      ctx.prev = { result: jsonCopy(step.value) };
      if (step.skipToEnd) break;
    }
  }
  ctx.result = undefined;
  ctx.error = undefined;
  return run(main.response).value;
}

/**
 * `ctx` for one field. Each part is the resolver's own JSON copy: the endpoint shares the
 * originals (the identity and headers with every field of the request, the source with the
 * response being built, selectionSetList with every request of the document), and resolver
 * code may mutate what it gets.
 */
function newContext(field: FieldContext, env: Readonly<Record<string, string>>): ResolverContext {
  const args = jsonCopy<Record<string, unknown>>(field.arguments ?? {});
  return {
    arguments: args,
    args,
    source: field.source ? jsonCopy(field.source) : null,
    identity: field.identity ? jsonCopy(field.identity) : null,
    request: { headers: { ...(field.request?.headers ?? {}) }, domainName: field.request?.domainName ?? null },
    info: jsonCopy(field.info),
    env,
    stash: {},
  };
}

function finish(state: InvocationState, data: unknown, errors: AppSyncFieldError[]): FieldResult {
  const result: FieldResult = { data, errors: [...state.appended, ...errors] };
  if (Object.keys(state.extensions).length > 0) result.extensions = state.extensions;
  return result;
}

/** Any failure inside a resolver as the field error AppSync would report. */
function toFieldError(name: string, err: unknown): AppSyncFieldError {
  if (err instanceof ResolverErrorSignal) return err.fieldError;
  if (err instanceof RequestShapeError) return { message: err.message, errorType: 'MappingTemplate', data: null, errorInfo: null };
  if (err instanceof EarlyReturnSignal) throw new Error('unreachable: earlyReturn escaped its handler');
  // A runtime error in resolver code (e.g. a TypeError). Errors from the VM context are not
  // instances of this realm's Error, so read the message structurally.
  const message = (err as { message?: unknown })?.message;
  return { message: `${name}: ${typeof message === 'string' ? message : String(err)}`, errorType: 'Code', data: null, errorInfo: null };
}
