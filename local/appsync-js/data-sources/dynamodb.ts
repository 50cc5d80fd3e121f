/**
 * AMAZON_DYNAMODB: translates AppSync's DynamoDB request objects (GetItem, PutItem, UpdateItem,
 * DeleteItem, Query, Scan) into DynamoDB wire requests sent through a DynamoDbTransport (the
 * AWS SDK, or the local mode's in-process dynalite), and the answers into `ctx.result` /
 * `ctx.error` the way AppSync shapes them.
 *
 * Not emulated: the other operations (Batch*, Transact*, Sync), `conditionalCheckFailedHandler`,
 * and AppSync's re-read after a failed condition (it reports success when the item already
 * equals the desired value); a failed condition is always `ctx.error`.
 */
import { AttributeValueError, fromWireItem, toWireMap } from '../attribute-values';
import type { DynamoDbOperation, DynamoDbTransport, WireItem, WireRequest, WireResponse } from './dynamodb-transport';
import { DynamoDbServiceError } from './dynamodb-transport';
import type { DataSourceInvoker, DataSourceOutcome } from './types';
import { RequestShapeError, requestRecord } from './types';

interface Expression {
  expression: string;
  expressionNames?: Record<string, string>;
  expressionValues?: Record<string, unknown>;
}

/** Collects the names and values of several expressions into one SDK call. */
class ExpressionSet {
  readonly names: Record<string, string> = {};
  readonly values: WireItem = {};

  constructor(private readonly dataSource: string) {}

  /** The expression text of `field` (undefined when absent), its names/values merged in. */
  add(request: Record<string, unknown>, field: string): string | undefined {
    const raw = request[field];
    if (raw === undefined || raw === null) return undefined;
    const expr = raw as Expression;
    if (typeof expr !== 'object' || typeof expr.expression !== 'string') {
      throw new RequestShapeError(this.dataSource, `${field}.expression must be a string`);
    }
    Object.assign(this.names, expr.expressionNames ?? {});
    Object.assign(this.values, toWireMap(expr.expressionValues ?? {}, `${field}.expressionValues`));
    return expr.expression;
  }

  /** The names/values parameters; empty maps are omitted (DynamoDB refuses them). */
  params() {
    return {
      ExpressionAttributeNames: Object.keys(this.names).length > 0 ? this.names : undefined,
      ExpressionAttributeValues: Object.keys(this.values).length > 0 ? this.values : undefined,
    };
  }
}

/** nextToken: an opaque base64url string of the LastEvaluatedKey (AWS encrypts its tokens). */
function encodeNextToken(key: WireItem | undefined): string | null {
  return key ? Buffer.from(JSON.stringify(key), 'utf8').toString('base64url') : null;
}

function decodeNextToken(token: unknown): WireItem | undefined {
  if (token === undefined || token === null) return undefined;
  try {
    const key = JSON.parse(Buffer.from(String(token), 'base64url').toString('utf8')) as unknown;
    if (key && typeof key === 'object' && !Array.isArray(key)) return key as WireItem;
  } catch {
    // fall through: reported below like any other malformed token
  }
  throw new InvalidNextToken();
}

class InvalidNextToken extends Error {}

export interface DynamoDbDataSourceOptions {
  name: string;
  tableName: string;
  transport: DynamoDbTransport;
}

export class DynamoDbDataSource implements DataSourceInvoker {
  constructor(private readonly options: DynamoDbDataSourceOptions) {}

  async invoke(requestObject: unknown): Promise<DataSourceOutcome> {
    const { name } = this.options;
    const request = requestRecord(name, requestObject);
    try {
      return { result: await this.run(request) };
    } catch (err) {
      if (err instanceof RequestShapeError) throw err;
      if (err instanceof AttributeValueError) throw new RequestShapeError(name, err.message);
      if (err instanceof InvalidNextToken) {
        return { result: null, error: { message: 'The nextToken is not a valid pagination token', type: 'DynamoDB:ValidationException' } };
      }
      return { result: null, error: serviceError(err) };
    }
  }

  private async run(request: Record<string, unknown>): Promise<unknown> {
    const { transport, tableName: TableName, name } = this.options;
    const exprs = new ExpressionSet(name);
    // The input is built (and its expressions added) before the names/values are collected.
    const send = (operation: DynamoDbOperation, input: Omit<WireRequest, 'TableName'>) =>
      transport.send(operation, { TableName, ...exprs.params(), ...input });
    const key = () => this.key(request);
    const condition = () => exprs.add(request, 'condition');
    /**
     * Query and Scan: the fields both take, and the page AppSync makes of the answer. They are
     * added to the caller's fresh `input` with Object.assign: on Node 20, V8 builds a literal that
     * starts with a spread (`{ ...input, IndexName }`) slowly for every property after it.
     */
    const list = async (operation: 'Query' | 'Scan', input: Omit<WireRequest, 'TableName'>) =>
      page(
        await send(
          operation,
          Object.assign(input, {
            IndexName: optionalString(request.index),
            FilterExpression: exprs.add(request, 'filter'),
            ProjectionExpression: exprs.add(request, 'projection'),
            ConsistentRead: Boolean(request.consistentRead),
            Limit: optionalNumber(request.limit),
            ExclusiveStartKey: decodeNextToken(request.nextToken),
          }),
        ),
      );
    const operation = request.operation;
    switch (operation) {
      case 'GetItem': {
        const out = await send('GetItem', {
          ProjectionExpression: exprs.add(request, 'projection'),
          Key: key(),
          ConsistentRead: Boolean(request.consistentRead),
          // GetItem takes names only.
          ExpressionAttributeValues: undefined,
        });
        return out.Item ? fromWireItem(out.Item) : null;
      }
      case 'PutItem': {
        const item = { ...toWireMap(request.attributeValues ?? {}, 'attributeValues'), ...key() };
        await send('PutItem', { Item: item, ConditionExpression: condition() });
        return fromWireItem(item);
      }
      case 'UpdateItem': {
        const update = exprs.add(request, 'update');
        if (!update) throw new RequestShapeError(name, 'UpdateItem needs an update expression');
        const out = await send('UpdateItem', { ConditionExpression: condition(), Key: key(), UpdateExpression: update, ReturnValues: 'ALL_NEW' });
        return out.Attributes ? fromWireItem(out.Attributes) : null;
      }
      case 'DeleteItem': {
        const out = await send('DeleteItem', { ConditionExpression: condition(), Key: key(), ReturnValues: 'ALL_OLD' });
        return out.Attributes ? fromWireItem(out.Attributes) : null;
      }
      case 'Query': {
        const keyCondition = exprs.add(request, 'query');
        if (!keyCondition) throw new RequestShapeError(name, 'Query needs a query expression');
        return list('Query', {
          KeyConditionExpression: keyCondition,
          ScanIndexForward: request.scanIndexForward !== false,
          Select: optionalString(request.select),
        });
      }
      case 'Scan':
        return list('Scan', { Segment: optionalNumber(request.segment), TotalSegments: optionalNumber(request.totalSegments) });
      default:
        throw new RequestShapeError(
          name,
          operation === undefined
            ? "Value for field '$[operation]' not found."
            : `operation ${JSON.stringify(operation)} is not supported locally (GetItem, PutItem, UpdateItem, DeleteItem, Query, Scan)`,
        );
    }
  }

  private key(request: Record<string, unknown>): WireItem {
    if (request.key === undefined) throw new RequestShapeError(this.options.name, `${String(request.operation)} needs a key`);
    return toWireMap(request.key, 'key');
  }
}

function page(out: WireResponse) {
  return { items: (out.Items ?? []).map((item) => fromWireItem(item)), nextToken: encodeNextToken(out.LastEvaluatedKey), scannedCount: out.ScannedCount ?? 0 };
}

function optionalString(value: unknown): string | undefined {
  return value === undefined || value === null ? undefined : String(value);
}

function optionalNumber(value: unknown): number | undefined {
  return value === undefined || value === null ? undefined : Number(value);
}

/**
 * A failed call as AppSync's `ctx.error` ({ message, type: 'DynamoDB:<Exception>' }): DynamoDB's
 * refusals carry their exception name; anything else (endpoint down, ...) is a ServiceError.
 */
function serviceError(err: unknown): { message: string; type: string } {
  if (err instanceof DynamoDbServiceError) {
    const detail = ` (Service: DynamoDb, Status Code: ${err.httpStatusCode}, Request ID: ${err.requestId ?? 'local'})`;
    return { message: `${err.message}${detail}`, type: `DynamoDB:${err.name}` };
  }
  const e = err as { name?: string; message?: string };
  const name = e.name && e.name !== 'Error' ? e.name : 'ServiceError';
  return { message: e.message ?? String(err), type: `DynamoDB:${name}` };
}
