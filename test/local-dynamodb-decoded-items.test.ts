/**
 * decoded-items.ts: a stored item is parsed once and every read gets its own deep copy, which
 * must equal what JSON.parse of the stored text gives, share nothing with it, and keep a
 * `__proto__` key an own property (as JSON.parse does) rather than setting the copy's prototype.
 */
import { copyOfParsedJson, decodedItem } from '../local/dynamodb/decoded-items';

const TEXT = '{"id":{"S":"a"},"tags":{"L":[{"S":"x"},{"N":"1"},{"NULL":true},{"BOOL":false}]},"m":{"M":{"__proto__":{"S":"own"},"deep":{"M":{"n":{"N":"-0.5e3"}}}}}}';

describe('decodedItem / copyOfParsedJson', () => {
  test('each read equals JSON.parse of the stored text and shares no object with another read', () => {
    const stored = Buffer.from(TEXT);
    const first = decodedItem(stored);
    const second = decodedItem(stored);
    expect(first).toEqual(JSON.parse(TEXT));
    expect(JSON.stringify(second)).toBe(TEXT);
    expect(second).not.toBe(first);
    expect(second.tags).not.toBe(first.tags);
    expect((second.tags.L as unknown[])[0]).not.toBe((first.tags.L as unknown[])[0]);
    (first.tags.L as { S: string }[])[0].S = 'changed';
    expect(JSON.stringify(decodedItem(stored))).toBe(TEXT);
  });

  test("a '__proto__' key stays an own, enumerable member and the copy keeps Object.prototype", () => {
    const parsed = JSON.parse(TEXT) as { m: { M: Record<string, unknown> } };
    const copy = copyOfParsedJson(parsed) as typeof parsed;
    expect(Object.getPrototypeOf(copy.m.M)).toBe(Object.prototype);
    expect(Object.keys(copy.m.M)).toEqual(['__proto__', 'deep']);
    expect(Object.getOwnPropertyDescriptor(copy.m.M, '__proto__')?.value).toEqual({ S: 'own' });
    expect(JSON.stringify(copy)).toBe(TEXT);
  });

  test('another stored value (a new write) is parsed on its own, even with the same text before', () => {
    const before = Buffer.from('{"v":{"S":"1"}}');
    expect(decodedItem(before)).toEqual({ v: { S: '1' } });
    const after = Buffer.from('{"v":{"S":"2"}}');
    expect(decodedItem(after)).toEqual({ v: { S: '2' } });
    expect(decodedItem(before)).toEqual({ v: { S: '1' } });
  });
});
