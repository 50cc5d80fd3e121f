/** What a data source hands back to the response handler. */
export interface DataSourceOutcome {
  /**
   * `ctx.result`, handed to the response handler as is: it must be fresh plain JSON of this
   * realm (what JSON.parse would give: no undefined, no NaN/Infinity/-0, a `__proto__` key
   * as an own property) that nothing else holds, since resolver code may mutate it.
   */
  result: unknown;
  /** `ctx.error`, as AppSync sets it when the data source call failed. */
  error?: { message: string; type: string };
}

/** Runs one request object against one data source. */
export interface DataSourceInvoker {
  invoke(request: unknown): Promise<DataSourceOutcome>;
}

/**
 * A request object the data source cannot understand. AppSync reports these as a field error
 * of type MappingTemplate (the response handler does not run).
 */
export class RequestShapeError extends Error {
  constructor(dataSource: string, problem: string) {
    super(`Data source ${dataSource}: ${problem}`);
    this.name = 'RequestShapeError';
  }
}

/** The request object as a record, or a RequestShapeError naming the data source. */
export function requestRecord(dataSource: string, request: unknown): Record<string, unknown> {
  if (request === null || typeof request !== 'object' || Array.isArray(request)) {
    throw new RequestShapeError(dataSource, `the request handler must return an object, got ${JSON.stringify(request)}`);
  }
  return request as Record<string, unknown>;
}
