import type { DataSourceInvoker, DataSourceOutcome } from './types';
import { requestRecord } from './types';

/** NONE: the request's `payload` becomes `ctx.result` (AppSync's local resolver). */
export class NoneDataSource implements DataSourceInvoker {
  constructor(private readonly name: string) {}

  async invoke(request: unknown): Promise<DataSourceOutcome> {
    const { payload } = requestRecord(this.name, request);
    return { result: payload === undefined ? null : payload };
  }
}
