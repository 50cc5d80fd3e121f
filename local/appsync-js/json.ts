import { types } from 'node:util';

/**
 * AppSync passes values between handlers, data sources and GraphQL as JSON. `jsonCopy(v)` is
 * `JSON.parse(JSON.stringify(v))` (with undefined -> null at the top): undefined, functions and
 * symbols vanish from objects and become null in arrays, NaN/Infinity become null, -0 becomes 0,
 * `toJSON(key)` is honoured (Dates become strings), boxed primitives are unboxed, a `__proto__`
 * key stays an own property, and objects made inside a resolver's VM context become plain
 * objects of this realm.
 *
 * It copies the structure directly instead of through text: strings are immutable, so the copy
 * shares them, and the long ones (article bodies) are never escaped, scanned and rebuilt. Each
 * step follows the spec's SerializeJSONProperty/Object/Array in the same order (Object.keys,
 * then each property's getter, then its toJSON), so getters, toJSON and proxies see the same
 * calls. Whatever makes JSON throw (a BigInt, a cycle, a revoked proxy, a throwing getter, an
 * unrepresentable top-level value) or could overflow its output string is handed to the JSON
 * round trip itself, which then throws or answers exactly as before (on that path only, getters
 * and toJSON run a second time). test/appsync-js-json-copy.test.ts compares the two.
 */
export function jsonCopy<T = unknown>(value: unknown): T {
  if (value === undefined) return null as T;
  try {
    const copied = copyProperty(value, '', { stack: [], units: 0 });
    if (copied !== OMIT) return copied as T;
  } catch {
    // Fall through: the JSON round trip reproduces the exact error (or result).
  }
  return JSON.parse(JSON.stringify(value)) as T;
}

/** A member JSON.stringify leaves out (undefined, a function, a symbol). */
const OMIT = Symbol('omit');

/** Copy state of one jsonCopy call (kept per call: a toJSON may call jsonCopy again). */
interface CopyState {
  /** The objects being copied, outermost first: JSON's cycle check. */
  readonly stack: object[];
  /** Bounds the output JSON.stringify would build; see UNIT_LIMIT. */
  units: number;
}

/**
 * Past this size the round trip decides: JSON.stringify throws RangeError when its output would
 * exceed V8's maximum string length (2^29 - 24). A unit (a value, or a member, plus each
 * character of its strings) serializes to at most 30 characters (a 25-character number and
 * punctuation; a string character escapes to at most 6), so below 2^24 units it cannot.
 */
const UNIT_LIMIT = 2 ** 24;

class Delegate extends Error {}

/** SerializeJSONProperty: `value` (already read from its holder) under `key`, copied. */
function copyProperty(value: unknown, key: string, state: CopyState): unknown {
  if (typeof value === 'string') {
    if ((state.units += value.length + 1) > UNIT_LIMIT) throw new Delegate();
    return value;
  }
  if (value !== null && (typeof value === 'object' || typeof value === 'function' || typeof value === 'bigint')) {
    // GetV(value, 'toJSON'): for a bigint primitive this is BigInt.prototype of this realm, as in JSON.stringify.
    const toJSON = (value as { toJSON?: unknown }).toJSON;
    if (typeof toJSON === 'function') value = toJSON.call(value, key) as unknown;
  }
  return copyResolved(value, state);
}

/** The rest of SerializeJSONProperty, after toJSON. */
function copyResolved(value: unknown, state: CopyState): unknown {
  if (++state.units > UNIT_LIMIT) throw new Delegate();
  switch (typeof value) {
    case 'string':
      if ((state.units += value.length) > UNIT_LIMIT) throw new Delegate();
      return value;
    case 'number':
      return jsonNumber(value);
    case 'boolean':
      return value;
    case 'object':
      if (value === null) return null;
      if (types.isBoxedPrimitive(value)) {
        // ToNumber / ToString (both may call valueOf/toString), [[BooleanData]]; a boxed BigInt
        // throws in JSON; a boxed Symbol is an ordinary object there.
        if (types.isNumberObject(value)) return jsonNumber(+(value as unknown as number));
        if (types.isStringObject(value)) return copyResolved(`${value as unknown as string}`, state);
        if (types.isBooleanObject(value)) return Boolean.prototype.valueOf.call(value);
        if (types.isBigIntObject(value)) throw new Delegate();
      }
      return Array.isArray(value) ? copyArray(value, state) : copyObject(value, state);
    case 'bigint':
      throw new Delegate();
    default:
      // undefined, symbol, function (any callable, of any realm)
      return OMIT;
  }
}

/** A number as the JSON round trip gives it back: -0 is 0, NaN and Infinity are null (others keep their exact value). */
export function jsonNumber(n: number): number | null {
  return Number.isFinite(n) ? n + 0 : null;
}

/** `out[key] = value` as JSON.parse does it: a `__proto__` key becomes an own property, not the prototype. */
export function setJsonMember(out: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') {
    Object.defineProperty(out, key, { value, writable: true, enumerable: true, configurable: true });
  } else {
    out[key] = value;
  }
}

/** SerializeJSONArray: length read once, every index 0..length-1 (a hole or omitted value is null). */
function copyArray(value: readonly unknown[], state: CopyState): unknown[] {
  enter(value, state);
  // ToLength(length): anything but a plain array length (a proxy's) is left to the round trip.
  const length = Number(value.length);
  if (!Number.isInteger(length) || length < 0 || length > UNIT_LIMIT) throw new Delegate();
  const out: unknown[] = [];
  for (let i = 0; i < length; i++) {
    const item = copyProperty(value[i], String(i), state);
    out.push(item === OMIT ? null : item);
  }
  state.stack.pop();
  return out;
}

/** SerializeJSONObject: own enumerable string keys (Object.keys order), omitted values left out. */
function copyObject(value: object, state: CopyState): Record<string, unknown> {
  enter(value, state);
  const out: Record<string, unknown> = {};
  const keys = Object.keys(value);
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i];
    const item = copyProperty((value as Record<string, unknown>)[key], key, state);
    if (item === OMIT) continue;
    if ((state.units += key.length + 1) > UNIT_LIMIT) throw new Delegate();
    setJsonMember(out, key, item);
  }
  state.stack.pop();
  return out;
}

/** JSON's cycle check: an object inside itself throws (the round trip words the TypeError). */
function enter(value: object, state: CopyState): void {
  if (state.stack.includes(value)) throw new Delegate();
  state.stack.push(value);
}
