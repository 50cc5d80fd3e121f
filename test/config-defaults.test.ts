import { repoPath } from '../config/paths';
import { DEFAULTS } from '../config/defaults';
import { documentedDefaults } from '../config/jsdoc-defaults';

/**
 * The option types document each default in JSDoc (`@default`); the `DEFAULTS` table holds
 * the value resolveConfig uses. The two must never disagree, and a literal default must never
 * be written without a table entry (it would be documented but not applied).
 */
const documented = documentedDefaults(repoPath('config/types.ts'));
const table = DEFAULTS as unknown as Record<string, Record<string, unknown>>;

describe('option defaults', () => {
  it('finds the documented defaults of the option types', () => {
    expect(documented.length).toBeGreaterThan(30);
  });

  it.each(Object.entries(table).flatMap(([owner, options]) => Object.keys(options).map((option) => [owner, option])))(
    '%s.%s: the JSDoc @default is the table value',
    (owner, option) => {
      const doc = documented.find((d) => d.owner === owner && d.option === option);
      expect(doc).toBeDefined();
      expect(doc!.literal).toBeDefined();
      expect(doc!.literal!.value).toEqual(table[owner][option]);
    },
  );

  it('every literal @default has a table entry; the rest are prose (absent or derived defaults)', () => {
    const untabled = documented.filter((d) => d.literal && !(d.owner in table && d.option in table[d.owner]));
    expect(untabled.map((d) => `${d.owner}.${d.option} @default ${d.text}`)).toEqual([]);
  });
});
