/**
 * The AWS SDK v3 transport: for any DynamoDB endpoint (dynalite over HTTP, DynamoDB Local, AWS).
 * The only adaptation to the wire JSON is binaries (base64 text on the wire, bytes in the SDK)
 * and the SDK's errors, which become DynamoDbServiceError.
 */
import {
  DeleteItemCommand,
  DynamoDBClient,
  DynamoDBServiceException,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
  ScanCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import type { WireAttributeValue } from '../attribute-values';
import type { DynamoDbOperation, DynamoDbTransport, WireRequest, WireResponse } from './dynamodb-transport';
import { DynamoDbServiceError, withoutUndefined } from './dynamodb-transport';
import type { AwsCredentials } from '../../aws-credentials';

export interface SdkTransportOptions {
  endpoint: string;
  region: string;
  credentials: AwsCredentials;
}

/** A DynamoDbTransport that also owns sockets: `close()` releases them. */
export interface ClosableDynamoDbTransport extends DynamoDbTransport {
  close(): void;
}

const COMMANDS = {
  GetItem: GetItemCommand,
  PutItem: PutItemCommand,
  UpdateItem: UpdateItemCommand,
  DeleteItem: DeleteItemCommand,
  Query: QueryCommand,
  Scan: ScanCommand,
} as const;

/** The request fields holding attribute values, and the answer fields: the only places binaries occur. */
const REQUEST_ITEMS = ['Key', 'Item', 'ExpressionAttributeValues', 'ExclusiveStartKey'] as const;
const RESPONSE_ITEMS = ['Item', 'Attributes', 'LastEvaluatedKey'] as const;

export function createSdkTransport(options: SdkTransportOptions): ClosableDynamoDbTransport {
  const client = new DynamoDBClient({
    endpoint: options.endpoint,
    region: options.region,
    credentials: options.credentials,
    // A local emulator either answers or is down: retrying only delays the error.
    maxAttempts: 2,
  });
  return {
    async send(operation: DynamoDbOperation, input: WireRequest): Promise<WireResponse> {
      const Command = COMMANDS[operation] as new (input: unknown) => Parameters<DynamoDBClient['send']>[0];
      const sdkInput: Record<string, unknown> = { ...input };
      for (const field of REQUEST_ITEMS) {
        const item = input[field];
        if (item) sdkInput[field] = mapItem(item, toSdkBinary);
      }
      let out: Record<string, unknown>;
      try {
        out = (await client.send(new Command(sdkInput))) as unknown as Record<string, unknown>;
      } catch (err) {
        throw err instanceof DynamoDBServiceException
          ? new DynamoDbServiceError(err.name, err.message, err.$metadata.httpStatusCode ?? 500, err.$metadata.requestId)
          : err;
      }
      return wireResponse(out);
    },
    close: () => client.destroy(),
  };
}

/** The SDK's answer without its `$metadata` and undefined fields, binaries as base64. */
function wireResponse(out: Record<string, unknown>): WireResponse {
  const wire = withoutUndefined(out, '$metadata');
  for (const field of RESPONSE_ITEMS) {
    const item = out[field] as Item | undefined;
    if (item) wire[field] = mapItem(item, fromSdkBinary);
  }
  if (Array.isArray(out.Items)) wire.Items = (out.Items as Item[]).map((item) => mapItem(item, fromSdkBinary));
  return wire;
}

type Binary = string | Uint8Array;
type Convert = (b: Binary) => Binary;

const toSdkBinary: Convert = (b) => Buffer.from(b as string, 'base64');
const fromSdkBinary: Convert = (b) => Buffer.from(b as Uint8Array).toString('base64');

/** WireAttributeValue and the SDK's AttributeValue alike: they differ only in what B/BS hold. */
type Value = Omit<WireAttributeValue, 'B' | 'BS' | 'L' | 'M'> & { B?: Binary; BS?: Binary[]; L?: Value[]; M?: Item };
type Item = Record<string, Value>;

/** Copies an item, converting every B/BS binary (also inside L and M) with `convert`; the rest is shared. */
function mapItem(item: Item, convert: Convert): Item {
  const out: Item = {};
  for (const [key, value] of Object.entries(item)) out[key] = mapValue(value, convert);
  return out;
}

function mapValue(value: Value, convert: Convert): Value {
  if (value.B !== undefined) return { B: convert(value.B) };
  if (value.BS !== undefined) return { BS: value.BS.map(convert) };
  if (value.L !== undefined) return { L: value.L.map((v) => mapValue(v, convert)) };
  if (value.M !== undefined) return { M: mapItem(value.M, convert) };
  return value;
}
