/**
 * How the AMAZON_DYNAMODB data source reaches a table: one `send(operation, input)` in
 * DynamoDB's wire JSON (the body of a `DynamoDB_20120810.<Operation>` request and its answer).
 * Two implementations: the AWS SDK over HTTP (any endpoint; dynamodb-sdk-transport.ts) and the
 * local mode's in-process call into dynalite (local/dynamodb/in-process-transport.ts).
 * Both fail with DynamoDbServiceError, so `ctx.error` does not depend on the transport.
 */
import type { WireAttributeValue } from '../attribute-values';

/** The operations the data source emulates (see dynamodb.ts). */
export const DYNAMODB_OPERATIONS = ['GetItem', 'PutItem', 'UpdateItem', 'DeleteItem', 'Query', 'Scan'] as const;
export type DynamoDbOperation = (typeof DYNAMODB_OPERATIONS)[number];

export type WireItem = Record<string, WireAttributeValue>;

/** The request fields the data source sends (each operation uses some; DynamoDB checks which). */
export interface WireRequest {
  TableName: string;
  IndexName?: string;
  Key?: WireItem;
  Item?: WireItem;
  KeyConditionExpression?: string;
  UpdateExpression?: string;
  ConditionExpression?: string;
  FilterExpression?: string;
  ProjectionExpression?: string;
  ExpressionAttributeNames?: Record<string, string>;
  ExpressionAttributeValues?: WireItem;
  ExclusiveStartKey?: WireItem;
  ReturnValues?: 'NONE' | 'ALL_OLD' | 'UPDATED_OLD' | 'ALL_NEW' | 'UPDATED_NEW';
  Select?: string;
  ScanIndexForward?: boolean;
  ConsistentRead?: boolean;
  Limit?: number;
  Segment?: number;
  TotalSegments?: number;
}

/** The answer fields the data source reads; absent fields are left out (never `undefined`). */
export interface WireResponse {
  Item?: WireItem;
  Items?: WireItem[];
  Attributes?: WireItem;
  LastEvaluatedKey?: WireItem;
  Count?: number;
  ScannedCount?: number;
}

export interface DynamoDbTransport {
  /**
   * One DynamoDB call. The answer is read-only: the in-process transport shares a Query or Scan
   * page's stored items between reads, deep-frozen (local/dynamodb/decoded-items.ts).
   */
  send(operation: DynamoDbOperation, input: WireRequest): Promise<WireResponse>;
}

/**
 * DynamoDB refused a request. `name` is the exception (`ConditionalCheckFailedException`,
 * `ValidationException`, ...), as the AWS SDK names it.
 */
export class DynamoDbServiceError extends Error {
  constructor(
    name: string,
    message: string,
    readonly httpStatusCode: number,
    /** The service's request id, when the answer carried one. */
    readonly requestId?: string,
  ) {
    super(message);
    this.name = name;
  }
}

/**
 * A DynamoDB JSON error body (`{"__type": "com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException",
 * "message": ...}`) as the error the AWS SDK raises for it: the name is the part after '#' (and
 * before any ':'), the message is `message`, else `Message`, else 'UnknownError'.
 */
export function errorFromWireBody(body: unknown, httpStatusCode: number, requestId?: string): DynamoDbServiceError {
  const fields = (body ?? {}) as { __type?: unknown; message?: unknown; Message?: unknown };
  const type = typeof fields.__type === 'string' ? fields.__type : 'UnknownError';
  const name = type.split(':')[0].split('#').pop() || 'UnknownError';
  const message = fields.message ?? fields.Message ?? 'UnknownError';
  return new DynamoDbServiceError(name, String(message), httpStatusCode, requestId);
}

/** `record` without its undefined fields (and the `skip` ones): how a JSON answer would arrive. */
export function withoutUndefined(record: Record<string, unknown>, ...skip: string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [field, value] of Object.entries(record)) {
    if (value !== undefined && !skip.includes(field)) out[field] = value;
  }
  return out;
}
