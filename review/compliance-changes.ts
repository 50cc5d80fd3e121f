import type { StackJson } from '../addresses/address-list';
import { loadInputsFromDir } from '../access/ref-inputs';
import { evaluateStack, type ComplianceRow } from '../compliance/evaluate';

/** One side of the review: the project folder and its synthesized stacks. */
export interface ReviewSide {
  /** `<ref> (<short commit>)` or `working tree`. */
  readonly name: string;
  /** The project folder (an exported ref, or the working tree). */
  readonly dir: string;
  readonly stacks: Record<string, StackJson>;
}

/**
 * Markdown of the compliance changes from `before` to `after` (without a heading), `''` when
 * nothing changed.
 */
export type ComplianceDiff = (before: ReviewSide, after: ReviewSide) => string;

type Outcomes = Map<string, ComplianceRow>;

/**
 * Every control's outcome on each side, keyed `env · control · resource`. Each side is judged
 * with its own config's relaxations, so a waiver added or removed shows up as a change too.
 */
function outcomes(side: ReviewSide, root: string): Outcomes {
  const { config } = loadInputsFromDir(side.dir, root);
  const rows: Outcomes = new Map();
  for (const [env, json] of Object.entries(side.stacks)) {
    const relaxations = config.environments[env]?.relaxations ?? [];
    for (const row of evaluateStack(env, json, relaxations).rows) {
      rows.set(`${env} · ${row.control.id} · ${row.resource}`, row);
    }
  }
  return rows;
}

const describe = (row: ComplianceRow | undefined): string =>
  row === undefined ? 'not evaluated' : row.outcome === 'PASS' ? 'PASS' : `${row.outcome} (${row.outcome === 'WAIVED' ? row.reason : row.problem})`;

/**
 * The compliance report (`compliance/`) on both sides: one table row for every control whose
 * outcome on a resource changed, appeared or disappeared.
 */
export function complianceChanges(root: string): ComplianceDiff {
  return (before, after) => {
    const was = outcomes(before, root);
    const now = outcomes(after, root);
    const keys = [...new Set([...was.keys(), ...now.keys()])].sort();
    const changed = keys.filter((k) => describe(was.get(k)) !== describe(now.get(k)));
    if (changed.length === 0) return '';
    const cell = (s: string) => s.replace(/\|/g, '\\|');
    return [
      '| environment · control · resource | before | after |',
      '|---|---|---|',
      ...changed.map((k) => `| ${cell(k)} | ${cell(describe(was.get(k)))} | ${cell(describe(now.get(k)))} |`),
    ].join('\n');
  };
}
