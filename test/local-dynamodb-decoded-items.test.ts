/**
 * decoded-items.ts: a stored item is parsed once, and every read of that stored value gets the
 * same deep-frozen object, equal to JSON.parse of the stored text; another stored value (a new
 * write) is parsed on its own. table-description-cache.ts's copyOfParsedJson: a deep copy that
 * shares nothing and keeps a `__proto__` key an own property (as JSON.parse does).
 */
import { decodedItem } from '../local/dynamodb/decoded-items';
import { copyOfParsedJson } from '../local/dynamodb/table-description-cache';

const TEXT = '{"id":{"S":"a"},"tags":{"L":[{"S":"x"},{"N":"1"},{"NULL":true},{"BOOL":false}]},"m":{"M":{"__proto__":{"S":"own"},"deep":{"M":{"n":{"N":"-0.5e3"}}}}}}';

describe('decodedItem', () => {
  test('every read of a stored value is the one parse of it, equal to JSON.parse of the text, frozen to the leaves', () => {
    const stored = Buffer.from(TEXT);
    const first = decodedItem(stored);
    expect(first).toEqual(JSON.parse(TEXT));
    expect(decodedItem(stored)).toBe(first);
    const deep = (first.m.M as Record<string, { M: Record<string, unknown> }>).deep.M;
    for (const part of [first, first.tags, first.tags.L, (first.tags.L as object[])[0], first.m.M, deep, deep.n]) expect(Object.isFrozen(part)).toBe(true);
    expect(() => {
      (first.tags.L as { S: string }[])[0].S = 'changed';
    }).toThrow(TypeError);
    expect(JSON.stringify(decodedItem(stored))).toBe(TEXT);
  });

  test('another stored value (a new write) is parsed on its own, even with the same length', () => {
    const before = Buffer.from('{"v":{"S":"1"}}');
    expect(decodedItem(before)).toEqual({ v: { S: '1' } });
    const after = Buffer.from('{"v":{"S":"2"}}');
    expect(decodedItem(after)).toEqual({ v: { S: '2' } });
    expect(decodedItem(before)).toEqual({ v: { S: '1' } });
  });
});

describe('copyOfParsedJson', () => {
  test("shares no object with the original; a '__proto__' key stays an own, enumerable member and the copy keeps Object.prototype", () => {
    const parsed = JSON.parse(TEXT) as { tags: { L: object[] }; m: { M: Record<string, unknown> } };
    const copy = copyOfParsedJson(parsed) as typeof parsed;
    expect(JSON.stringify(copy)).toBe(TEXT);
    expect(copy.tags).not.toBe(parsed.tags);
    expect(copy.tags.L[0]).not.toBe(parsed.tags.L[0]);
    expect(Object.getPrototypeOf(copy.m.M)).toBe(Object.prototype);
    expect(Object.keys(copy.m.M)).toEqual(['__proto__', 'deep']);
    expect(Object.getOwnPropertyDescriptor(copy.m.M, '__proto__')?.value).toEqual({ S: 'own' });
  });
});
