/**
 * `jsonCopy` (local/appsync-js/json.ts) copies structurally but must answer exactly as
 * `JSON.parse(JSON.stringify(v))`: same values, key order, prototypes, property flags, the same
 * getter/toJSON calls, and the same errors. Compared on generated values (in this realm and
 * rebuilt in a node:vm context, as resolver code makes them) and on named edge cases. Also:
 * DynamoDB answers (fromWireItem), which reach resolvers uncopied, are already plain JSON.
 */
import { createContext, runInContext } from 'node:vm';
import fc from 'fast-check';
import { fromWireItem } from '../local/appsync-js/attribute-values';
import type { WireAttributeValue } from '../local/appsync-js/attribute-values';
import { jsonCopy } from '../local/appsync-js/json';

/** The reference: what AppSync's JSON hand-over does (undefined at the top is null, as before). */
function roundTrip(value: unknown): unknown {
  return value === undefined ? null : JSON.parse(JSON.stringify(value));
}

type Outcome = { ok: true; value: unknown } | { ok: false; error: string };

function attempt(copy: (v: unknown) => unknown, value: unknown): Outcome {
  try {
    return { ok: true, value: copy(value) };
  } catch (e) {
    const err = e as Error;
    return { ok: false, error: `${err.constructor.name}: ${err.message}` };
  }
}

/**
 * Everything observable about a copied value: primitives told apart with Object.is (so -0 is
 * not 0), and for objects their prototype (this realm's Object/Array prototype or other), own
 * keys in order (symbols included) and each property's flags.
 */
function shape(value: unknown): unknown {
  if (typeof value === 'number') return { number: Object.is(value, -0) ? '-0' : String(value) };
  if (value === null || typeof value !== 'object') return { [typeof value]: String(value) };
  const proto = Object.getPrototypeOf(value);
  return {
    proto: proto === Object.prototype ? 'Object' : proto === Array.prototype ? 'Array' : 'another',
    extensible: Object.isExtensible(value),
    props: Reflect.ownKeys(value).map((key) => {
      const d = Object.getOwnPropertyDescriptor(value, key)!;
      return { key: String(key), flags: [d.writable, d.enumerable, d.configurable, 'get' in d], value: shape(d.value) };
    }),
  };
}

/** Objects reachable from `value` (a copy must share none of them, nor share any of its own twice). */
function objectsOf(value: unknown, out: object[] = []): object[] {
  if (value !== null && typeof value === 'object') {
    out.push(value);
    for (const key of Object.keys(value)) objectsOf((value as Record<string, unknown>)[key], out);
  }
  return out;
}

/** Asserts jsonCopy(value) and the JSON round trip agree, and that the copy is a fresh tree. */
function expectSameAsRoundTrip(value: unknown): void {
  const expected = attempt(roundTrip, value);
  const actual = attempt(jsonCopy, value);
  if (!expected.ok || !actual.ok) {
    expect(actual).toEqual(expected);
    return;
  }
  expect(shape(actual.value)).toEqual(shape(expected.value));
  const copied = objectsOf(actual.value);
  expect(new Set(copied).size).toBe(copied.length);
  const original = new Set(objectsOf(value));
  expect(copied.filter((o) => original.has(o))).toEqual([]);
}

/** Constructors of a node:vm context: values built with them are of another realm. */
const realm = runInContext(
  '({ Object, Array, Date, Number, String, Boolean, fn: () => function () { return 1; } })',
  createContext({}),
) as { Object: ObjectConstructor; Array: ArrayConstructor; Date: DateConstructor; Number: NumberConstructor; String: StringConstructor; Boolean: BooleanConstructor; fn: () => () => number };

/** `value` rebuilt with the vm context's constructors (properties keep their descriptors). */
function inVmRealm(value: unknown): unknown {
  if (typeof value === 'function') return Object.assign(realm.fn(), value);
  if (value === null || typeof value !== 'object') return value;
  if (value instanceof Date) return new realm.Date(value.getTime());
  if (value instanceof Number) return new realm.Number(value.valueOf());
  if (value instanceof String) return new realm.String(value.valueOf());
  if (value instanceof Boolean) return new realm.Boolean(value.valueOf());
  const target: object = Array.isArray(value) ? new realm.Array() : new realm.Object();
  for (const key of Reflect.ownKeys(value)) {
    if (Array.isArray(value) && key === 'length') continue;
    const d = Object.getOwnPropertyDescriptor(value, key)!;
    Object.defineProperty(target, key, 'value' in d ? { ...d, value: inVmRealm(d.value) } : d);
  }
  if (Array.isArray(value)) (target as unknown[]).length = value.length;
  return target;
}

/** Keys JSON treats specially, besides random ones. */
const keyArb = fc.oneof(fc.string({ maxLength: 6 }), fc.constantFrom('__proto__', 'toJSON', 'length', 'constructor', '0', '10', '-1', '1.5'));

/** Leaves JSON changes or drops. */
const oddLeaf = fc.constantFrom<unknown>(undefined, NaN, Infinity, -Infinity, -0, 0, Symbol('s'), () => 1, 10n, new Date(0), new Date(NaN));

const { value: valueArb } = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    oddLeaf,
    fc.anything({
      key: keyArb,
      maxDepth: 2,
      withBoxedValues: true,
      withDate: true,
      withMap: true,
      withSet: true,
      withNullPrototype: true,
      withObjectString: true,
      withSparseArray: true,
      withTypedArray: true,
      withUnicodeString: true,
    }),
    tie('object'),
    tie('array'),
    tie('withToJSON'),
    tie('withGetter'),
    tie('withHidden'),
  ),
  object: fc.dictionary(keyArb, tie('value'), { maxKeys: 5 }),
  array: fc.array(tie('value'), { maxLength: 5 }),
  // toJSON gets the property name (or index, or '' at the top) and may return anything.
  withToJSON: tie('value').map((inner) => ({ toJSON: (key: string) => [key, inner] })),
  withGetter: fc.tuple(keyArb, tie('value')).map(([key, inner]) => Object.defineProperty({ before: 1 }, key, { get: () => inner, enumerable: true })),
  // Non-enumerable and symbol-keyed properties are not JSON's.
  withHidden: tie('value').map((inner) => Object.defineProperty({ [Symbol('k')]: inner, shown: inner }, 'hidden', { value: inner, enumerable: false })),
}));

describe('jsonCopy equals the JSON round trip', () => {
  it('on generated values of this realm', () => {
    fc.assert(fc.property(valueArb, (v) => expectSameAsRoundTrip(v)), { numRuns: 3000 });
  });

  it('on generated values rebuilt in a node:vm context (as resolver code returns them)', () => {
    fc.assert(fc.property(valueArb, (v) => expectSameAsRoundTrip(inVmRealm(v))), { numRuns: 1500 });
  });

  it('on values nested deeper than the generators reach', () => {
    let deep: unknown = { leaf: 'x' };
    for (let i = 0; i < 200; i++) deep = i % 2 ? { next: deep, n: i } : [deep, -0];
    expectSameAsRoundTrip(deep);
  });

  const cyclic: Record<string, unknown> = { a: 1 };
  cyclic.self = { back: cyclic };
  const cyclicArray: unknown[] = [1];
  cyclicArray.push([cyclicArray]);
  const revoked = Proxy.revocable({}, {});
  revoked.revoke();
  const proto = { toJSON: () => 'from the prototype' };

  it.each<[string, () => unknown]>([
    ['undefined at the top is null', () => undefined],
    ['a function at the top throws like JSON.parse(undefined)', () => () => 1],
    ['a symbol at the top throws', () => Symbol('top')],
    ['toJSON answering undefined at the top throws', () => ({ toJSON: () => undefined })],
    ['undefined, functions, symbols vanish from objects', () => ({ u: undefined, f: () => 1, s: Symbol('x'), kept: 1 })],
    ['undefined, functions, symbols are null in arrays', () => [undefined, () => 1, Symbol('x'), 1]],
    ['holes in arrays are null', () => [1, , 3]],
    ['NaN, Infinity are null; -0 is 0', () => ({ a: NaN, b: -Infinity, c: [Infinity, -0], d: -0 })],
    ['a Date and an invalid Date', () => ({ at: new Date(1700000000000), bad: new Date(NaN) })],
    ['toJSON receives the key, the index and ""', () => ({ k: { toJSON: (key: string) => `key=${key}` }, l: [{ toJSON: (key: string) => `index=${key}` }] })],
    ['toJSON answering a function, an object, a cycle-free repeat', () => ({ f: { toJSON: () => () => 1 }, o: { toJSON: () => ({ nested: [1, { toJSON: () => 2 }] }) } })],
    ['toJSON on a function value is honoured', () => ({ fn: Object.assign(() => 1, { toJSON: () => 'fn' }) })],
    ['toJSON from the prototype chain', () => ({ x: Object.create(proto) })],
    ['boxed primitives are unboxed', () => [Object(1), Object('s'), Object(false), Object(-0), Object(NaN)]],
    ['a boxed Number/String uses valueOf/toString, a boxed Boolean its value', () => [
      Object.assign(Object(3), { valueOf: () => 7 }),
      Object.assign(Object('s'), { toString: () => 'overridden' }),
      Object.assign(Object(false), { valueOf: () => true }),
    ]],
    ['a boxed Symbol is an ordinary object', () => ({ s: Object(Symbol('boxed')) })],
    ['a BigInt throws TypeError', () => ({ deep: [1, { n: 5n }] })],
    ['a boxed BigInt throws TypeError', () => ({ n: Object(5n) })],
    ['a cycle throws TypeError', () => cyclic],
    ['an array cycle throws TypeError', () => cyclicArray],
    ['a cycle made by toJSON throws TypeError', () => { const o: Record<string, unknown> = {}; o.x = { toJSON: () => o }; return o; }],
    ['a shared (not cyclic) object is copied twice', () => { const shared = { v: 1 }; return { a: shared, b: [shared, shared] }; }],
    ['a __proto__ key is an own property, not a prototype', () => JSON.parse('{"__proto__": {"polluted": true}, "a": 1}')],
    ['integer-like keys come first, as in Object.keys', () => ({ b: 1, 2: 'two', a: 2, 1: 'one', '-1': 'minus' })],
    ['null-prototype objects, Maps, Sets, typed arrays', () => ({ n: Object.assign(Object.create(null), { a: 1 }), m: new Map([[1, 2]]), s: new Set([1]), t: new Uint8Array([1, 2]) })],
    ['lone surrogates and control characters survive', () => ({ s: '\ud800 \udfff \u0000 \n "quoted" \\ é 😀' })],
    ['a throwing getter throws its error', () => ({ get boom(): never { throw new RangeError('getter failed'); } })],
    ['a revoked proxy throws TypeError', () => ({ p: revoked.proxy })],
    ['a proxy array with a fractional length', () => new Proxy([1, 2, 3], { get: (t, k) => (k === 'length' ? 2.5 : Reflect.get(t, k)) })],
    ['a proxy object (ownKeys/get traps)', () => new Proxy({ a: 1, b: 2 }, { get: (t, k) => (k === 'a' ? 'trapped' : Reflect.get(t, k)) })],
    ['vm-realm objects, arrays, Dates and boxed values', () => inVmRealm({ o: { a: [1, { b: new Date(5) }] }, n: Object(2), f: () => 1 })],
    ['vm-realm object with a __proto__ own key', () => inVmRealm(JSON.parse('{"__proto__": [1], "z": null}'))],
  ])('%s', (_name, make) => {
    expectSameAsRoundTrip(make());
  });

  it('honours BigInt.prototype.toJSON when one is defined', () => {
    const proto = BigInt.prototype as unknown as { toJSON?: () => string };
    proto.toJSON = function (this: bigint) {
      return `${this}n`;
    };
    try {
      expectSameAsRoundTrip({ n: 5n, l: [Object(6n)] });
    } finally {
      delete proto.toJSON;
    }
  });

  it('reads properties, getters and toJSON in the order JSON.stringify does', () => {
    const logOf = (copy: (v: unknown) => unknown): string[] => {
      const log: string[] = [];
      const probe = (name: string, inner: unknown) => ({
        get a() {
          log.push(`${name}.a`);
          return inner;
        },
        toJSON(key: string) {
          log.push(`${name}.toJSON(${key})`);
          return { ...this, via: name };
        },
        get z() {
          log.push(`${name}.z`);
          return [1];
        },
      });
      copy({ first: probe('p', probe('q', 1)), list: [probe('r', null)] });
      return log;
    };
    expect(logOf(jsonCopy)).toEqual(logOf(roundTrip));
  });

  it('copies long strings without changing them', () => {
    const body = 'y'.repeat(100000) + '\u2028\ud83d';
    const copy = jsonCopy<{ body: string }[]>([{ body }]);
    expect(copy[0].body).toBe(body);
  });
});

/**
 * The resolver runner hands a DynamoDB answer to resolvers without copying it (DataSourceOutcome), so
 * fromWireItem must already give what the JSON round trip of its answer would, and share no
 * object with the wire answer.
 */
describe('fromWireItem answers plain JSON', () => {
  const number = fc.oneof(fc.double().map(String), fc.constantFrom('-0', '1e400', '-1e400', 'NaN', '0.1', '12345678901234567890123456789012345678'));
  const { attr } = fc.letrec((tie) => ({
    attr: fc.oneof(
      { depthSize: 'small' },
      fc.string().map((S) => ({ S })),
      number.map((N) => ({ N })),
      fc.boolean().map((BOOL) => ({ BOOL })),
      fc.constant({ NULL: true }),
      fc.base64String().map((B) => ({ B })),
      fc.array(fc.string(), { maxLength: 3 }).map((SS) => ({ SS })),
      fc.array(number, { maxLength: 3 }).map((NS) => ({ NS })),
      fc.array(tie('attr'), { maxLength: 3 }).map((L) => ({ L })),
      tie('item').map((M) => ({ M })),
    ),
    item: fc.dictionary(keyArb, tie('attr'), { maxKeys: 4 }),
  }));
  const itemArb = fc.dictionary(keyArb, attr, { maxKeys: 6 }) as fc.Arbitrary<Record<string, WireAttributeValue>>;

  it('equal to its own JSON round trip, with no object of the wire answer', () => {
    fc.assert(
      fc.property(itemArb, (wire) => {
        const plain = fromWireItem(wire);
        expect(shape(plain)).toEqual(shape(roundTrip(plain)));
        const wireObjects = new Set(objectsOf(wire));
        expect(objectsOf(plain).filter((o) => wireObjects.has(o))).toEqual([]);
      }),
      { numRuns: 2000 },
    );
  });

  it('keeps an attribute named __proto__ as an own key', () => {
    const plain = fromWireItem(JSON.parse('{"__proto__": {"M": {"x": {"S": "y"}}}, "n": {"N": "-0"}}'));
    expect(Object.getPrototypeOf(plain)).toBe(Object.prototype);
    expect(Object.keys(plain)).toEqual(['__proto__', 'n']);
    expect(shape(plain)).toEqual(shape(JSON.parse('{"__proto__": {"x": "y"}, "n": 0}')));
  });
});
