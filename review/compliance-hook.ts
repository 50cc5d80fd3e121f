import type { StackJson } from '../addresses/address-list';

/**
 * Where the review report gets its compliance section. The compliance report module
 * (`compliance/`, `npm run compliance`) lives on another branch; after merging it, set
 * `complianceDiff` below to a function that renders the compliance changes between the two
 * synthesized sides. Until then the report says, in its compliance section, that compliance
 * was not compared — it never pretends to have checked.
 */

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

/** HOOK: wire the compliance report module here after merging it. `null` = not wired. */
export const complianceDiff: ComplianceDiff | null = null;
