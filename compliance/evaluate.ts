import type { RelaxationConfig } from '../config';
import { resourcesOfType, type TerraformJson } from '../access/terraform-json';
import { CONTROLS, type Control } from './controls';

export type Outcome = 'PASS' | 'FAIL' | 'WAIVED';

/** One control on one resource of one environment's stack. */
export interface ComplianceRow {
  readonly control: Control;
  /** `aws_s3_bucket.<logical id>`. */
  readonly resource: string;
  /** The construct path cdktf recorded (`prod/store/bucket`), when there is one. */
  readonly path?: string;
  readonly outcome: Outcome;
  /** Why it fails (FAIL and WAIVED). */
  readonly problem?: string;
  /** The config's reason (WAIVED). */
  readonly reason?: string;
}

export interface StackReport {
  readonly env: string;
  readonly rows: readonly ComplianceRow[];
}

function constructPath(block: Record<string, unknown>): string | undefined {
  const meta = (block['//'] as { metadata?: { path?: string } } | undefined)?.metadata;
  return meta?.path;
}

/**
 * Every control on every resource of the stack it applies to. A failure becomes WAIVED when
 * the environment's config names the control in `relaxations`, with the config's reason.
 */
export function evaluateStack(env: string, json: TerraformJson, relaxations: readonly RelaxationConfig[], controls: readonly Control[] = CONTROLS): StackReport {
  const waivers = new Map(relaxations.map((r) => [r.control, r.reason]));
  const rows: ComplianceRow[] = [];
  for (const control of controls) {
    for (const [id, block] of resourcesOfType(json, control.resourceType)) {
      if (control.appliesTo && !control.appliesTo(block, id, json)) continue;
      const problem = control.check(block, id, json);
      const reason = problem === undefined ? undefined : waivers.get(control.id);
      rows.push({
        control,
        resource: `${control.resourceType}.${id}`,
        path: constructPath(block),
        outcome: problem === undefined ? 'PASS' : reason === undefined ? 'FAIL' : 'WAIVED',
        problem,
        reason,
      });
    }
  }
  return { env, rows };
}

/** Rows that fail without a waiver: any one makes `npm run compliance` exit non-zero. */
export function failures(reports: readonly StackReport[]): { env: string; row: ComplianceRow }[] {
  return reports.flatMap((r) => r.rows.filter((row) => row.outcome === 'FAIL').map((row) => ({ env: r.env, row })));
}
