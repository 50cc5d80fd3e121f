/**
 * DynamoDB attribute values in the three shapes the runtime meets:
 * - AppSync's (`util.dynamodb.toDynamoDB`): numbers stay numbers, `{ "N": 1234 }`;
 * - DynamoDB's wire JSON: numbers as strings, binaries as base64 strings (the SDK's bytes are
 *   converted by the SDK transport, data-sources/dynamodb-sdk-transport.ts);
 * - plain JSON, which AppSync hands resolvers as `ctx.result` (sets become lists).
 */
import { jsonNumber, setJsonMember } from './json';

export type AppSyncAttributeValue = Record<string, unknown>;

/**
 * An attribute value in DynamoDB's wire JSON: numbers as strings, binaries as base64 strings.
 * One key is set. (The SDK's `AttributeValue` differs only in binaries, which it holds as bytes.)
 */
export interface WireAttributeValue {
  S?: string;
  N?: string;
  B?: string;
  BOOL?: boolean;
  NULL?: boolean;
  SS?: string[];
  NS?: string[];
  BS?: string[];
  L?: WireAttributeValue[];
  M?: Record<string, WireAttributeValue>;
}

/** A value AppSync's DynamoDB data source cannot accept. The message names the path. */
export class AttributeValueError extends Error {}

/** `util.dynamodb.toDynamoDB`: any JSON value as an AppSync attribute value. */
export function toDynamoDB(value: unknown): AppSyncAttributeValue {
  if (value === null || value === undefined) return { NULL: true };
  if (typeof value === 'string') return { S: value };
  if (typeof value === 'number') return { N: value };
  if (typeof value === 'boolean') return { BOOL: value };
  if (Array.isArray(value)) return { L: value.map((item) => toDynamoDB(item)) };
  if (typeof value === 'object') return { M: toMapValues(value as Record<string, unknown>) };
  throw new AttributeValueError(`util.dynamodb.toDynamoDB cannot convert a ${typeof value}`);
}

/** `util.dynamodb.toMapValues`: each property converted with toDynamoDB. */
export function toMapValues(value: Record<string, unknown>): Record<string, AppSyncAttributeValue> {
  const out: Record<string, AppSyncAttributeValue> = {};
  for (const [key, item] of Object.entries(value)) {
    if (item !== undefined) out[key] = toDynamoDB(item);
  }
  return out;
}

/** The typed converters (`toString`, `toNumberSet`, ...): null in, null out, like AppSync. */
export const typedConverters = {
  toString: (v: unknown) => nullOr(v, (s) => ({ S: s })),
  toStringSet: (v: unknown) => nullOr(v, (list) => ({ SS: list })),
  toNumber: (v: unknown) => nullOr(v, (n) => ({ N: n })),
  toNumberSet: (v: unknown) => nullOr(v, (list) => ({ NS: list })),
  toBinary: (v: unknown) => nullOr(v, (b) => ({ B: b })),
  toBinarySet: (v: unknown) => nullOr(v, (list) => ({ BS: list })),
  toBoolean: (v: unknown) => nullOr(v, (b) => ({ BOOL: b })),
  toNull: () => ({ NULL: true }),
  toList: (v: unknown) => nullOr(v, (list) => toDynamoDB(list)),
  toMap: (v: unknown) => nullOr(v, (map) => toDynamoDB(map)),
};

function nullOr(value: unknown, convert: (v: never) => AppSyncAttributeValue): AppSyncAttributeValue | null {
  return value === null || value === undefined ? null : convert(value as never);
}

/** One AppSync attribute value in wire JSON; `path` names it in errors. */
function toWireValue(value: unknown, path: string): WireAttributeValue {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new AttributeValueError(`${path} must be a DynamoDB attribute value like {"S": "text"}, got ${JSON.stringify(value)}`);
  }
  const entries = Object.entries(value as Record<string, unknown>);
  if (entries.length !== 1) {
    throw new AttributeValueError(`${path} must have exactly one type key (S, N, BOOL, NULL, L, M, SS, NS, B, BS), got ${JSON.stringify(value)}`);
  }
  const [type, inner] = entries[0];
  switch (type) {
    case 'S':
      return { S: String(inner) };
    case 'N':
      return { N: String(inner) };
    case 'BOOL':
      return { BOOL: Boolean(inner) };
    case 'NULL':
      return { NULL: true };
    case 'B':
      return { B: base64(inner, path) };
    case 'SS':
      return { SS: listOf(inner, path).map(String) };
    case 'NS':
      return { NS: listOf(inner, path).map(String) };
    case 'BS':
      return { BS: listOf(inner, path).map((b, i) => base64(b, `${path}[${i}]`)) };
    case 'L':
      return { L: listOf(inner, path).map((item, i) => toWireValue(item, `${path}[${i}]`)) };
    case 'M':
      return { M: toWireMap(inner, path) };
    default:
      throw new AttributeValueError(`${path} has unknown DynamoDB type "${type}"`);
  }
}

/** A map of AppSync attribute values (a key, `attributeValues`, `expressionValues`) in wire JSON. */
export function toWireMap(value: unknown, path: string): Record<string, WireAttributeValue> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new AttributeValueError(`${path} must be an object of DynamoDB attribute values, got ${JSON.stringify(value)}`);
  }
  const out: Record<string, WireAttributeValue> = {};
  for (const [key, item] of Object.entries(value as Record<string, unknown>)) {
    out[key] = toWireValue(item, `${path}.${key}`);
  }
  return out;
}

/** AppSync takes binaries as base64 text; anything else is refused here, not garbled into other bytes. */
function base64(value: unknown, path: string): string {
  if (typeof value !== 'string' || Buffer.from(value, 'base64').toString('base64') !== value) {
    throw new AttributeValueError(`${path} must be a base64 string (a binary attribute), got ${JSON.stringify(value)}`);
  }
  return value;
}

function listOf(value: unknown, path: string): unknown[] {
  if (!Array.isArray(value)) throw new AttributeValueError(`${path} must hold a list, got ${JSON.stringify(value)}`);
  return value;
}

/**
 * A wire attribute value as the plain JSON AppSync puts in `ctx.result` (binaries stay base64).
 * The result is exactly what JSON.parse would give (numbers as JSON reads them back, `__proto__`
 * an own key), fresh but for the immutable strings: the executor hands it to resolvers uncopied.
 */
function fromWireValue(value: WireAttributeValue): unknown {
  if (value.S !== undefined) return value.S;
  if (value.N !== undefined) return jsonNumber(Number(value.N));
  if (value.BOOL !== undefined) return value.BOOL;
  if (value.NULL !== undefined) return null;
  if (value.L !== undefined) return value.L.map((item) => fromWireValue(item));
  if (value.M !== undefined) return fromWireItem(value.M);
  if (value.SS !== undefined) return [...value.SS];
  if (value.NS !== undefined) return value.NS.map((n) => jsonNumber(Number(n)));
  if (value.B !== undefined) return value.B;
  if (value.BS !== undefined) return [...value.BS];
  throw new AttributeValueError(`Unsupported DynamoDB attribute value ${JSON.stringify(value)}`);
}

export function fromWireItem(item: Record<string, WireAttributeValue>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const keys = Object.keys(item);
  for (let i = 0; i < keys.length; i++) setJsonMember(out, keys[i], fromWireValue(item[keys[i]]));
  return out;
}
