import type { DataSourceInvoker, DataSourceOutcome } from './types';
import { requestRecord } from './types';

/**
 * NONE: the request's `payload` becomes `ctx.result` (AppSync's local resolver). The request is
 * the executor's fresh JSON copy of the handler's value, so the payload is plain JSON no one else holds.
 */
export class NoneDataSource implements DataSourceInvoker {
  constructor(private readonly name: string) {}

  async invoke(request: unknown): Promise<DataSourceOutcome> {
    const { payload } = requestRecord(this.name, request);
    return { result: payload === undefined ? null : payload };
  }
}
