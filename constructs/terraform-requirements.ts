import type { Finding } from '../access/checks';

/**
 * The Terraform version every stack requires, as `terraform.required_version`: Terraform itself
 * refuses an older binary at init/plan. Why here and not cdktf's own check: cdktf validates
 * `terraform_data` by running `terraform version` through a shell at every synth (a child
 * process, ~0.3 s), and the machine that synthesizes is not always the one that applies.
 * 1.10: S3-native state locking (`use_lockfile`), the newest feature the stacks use.
 */
export const REQUIRED_TERRAFORM_VERSION = '>= 1.10';

/** The oldest Terraform each feature works with (what cdktf's version validations encoded). */
const FEATURE_MINIMUMS: readonly { readonly feature: string; readonly minimum: string; readonly used: (json: StackJson) => boolean }[] = [
  { feature: 'the built-in terraform_data resource', minimum: '1.4', used: (j) => Boolean(j.resource?.terraform_data) },
  { feature: 'import blocks', minimum: '1.5', used: (j) => Boolean(j.import) },
  { feature: 'moved blocks', minimum: '1.5', used: (j) => Boolean(j.moved) },
  { feature: 'the cloud block', minimum: '1.1', used: (j) => Boolean(j.terraform?.cloud) },
  { feature: 'S3 state locking (use_lockfile)', minimum: '1.10', used: (j) => Boolean(j.terraform?.backend?.s3?.use_lockfile) },
];

interface StackJson {
  readonly terraform?: { readonly required_version?: string; readonly cloud?: unknown; readonly backend?: { readonly s3?: { readonly use_lockfile?: unknown } } };
  readonly provider?: Readonly<Record<string, unknown>>;
  readonly resource?: Readonly<Record<string, unknown>>;
  readonly data?: Readonly<Record<string, unknown>>;
  readonly import?: unknown;
  readonly moved?: unknown;
}

function versionParts(v: string): number[] {
  return v.split('.').map(Number);
}

function atLeast(version: string, minimum: string): boolean {
  const a = versionParts(version);
  const b = versionParts(minimum);
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const d = (a[i] ?? 0) - (b[i] ?? 0);
    if (d !== 0) return d > 0;
  }
  return true;
}

/** Providers Terraform has built in: need no provider block. */
const BUILT_IN_PROVIDERS = new Set(['terraform']);

/**
 * What cdktf's validations checked, on a stack's JSON (`stack.toTerraform()`), without spawning
 * anything: the stack declares a `required_version` whose lower bound covers every feature it
 * uses, and every resource or data source type has its provider configured in the stack.
 */
export function terraformRequirementFindings(stackName: string, json: StackJson): Finding[] {
  const findings: Finding[] = [];
  const required = json.terraform?.required_version;
  const lowerBound = required === undefined ? undefined : /^\s*>=\s*(\d+(?:\.\d+){0,2})\s*$/.exec(required)?.[1];
  if (lowerBound === undefined) {
    findings.push({
      location: `stack ${stackName}: terraform.required_version`,
      problem: `is ${JSON.stringify(required)}, expected a lower bound of the form ">= X.Y"`,
      fix: `set it with stack.addOverride('terraform.required_version', REQUIRED_TERRAFORM_VERSION) (constructs/terraform-requirements.ts)`,
    });
  } else {
    for (const f of FEATURE_MINIMUMS) {
      if (f.used(json) && !atLeast(lowerBound, f.minimum)) {
        findings.push({
          location: `stack ${stackName}: terraform.required_version`,
          problem: `is "${required}", but the stack uses ${f.feature}, which needs Terraform >= ${f.minimum}`,
          fix: `raise REQUIRED_TERRAFORM_VERSION in constructs/terraform-requirements.ts to ">= ${f.minimum}" or more`,
        });
      }
    }
  }
  const configured = new Set(Object.keys(json.provider ?? {}));
  for (const [kind, blocks] of [['resource', json.resource], ['data', json.data]] as const) {
    for (const type of Object.keys(blocks ?? {})) {
      const provider = type.split('_')[0];
      if (!BUILT_IN_PROVIDERS.has(provider) && !configured.has(provider)) {
        findings.push({
          location: `stack ${stackName}: ${kind}.${type}`,
          problem: `its provider "${provider}" is not configured in the stack (configured: ${[...configured].join(', ') || 'none'})`,
          fix: `add the provider construct for "${provider}" to the stack`,
        });
      }
    }
  }
  return findings;
}
