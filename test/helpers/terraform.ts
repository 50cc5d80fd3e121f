import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { AWS_PROVIDER, findProviderMirror, writeTerraformCliConfig } from '../../scripts/terraform-cli-config';

/** Output of one terraform command. */
export interface TerraformRun {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Fails with a clear message when terraform is not on PATH. */
export function requireTerraform(): string {
  const version = spawnSync('terraform', ['version', '-json'], { encoding: 'utf8' });
  if (version.error || version.status !== 0) {
    throw new Error(`terraform is not runnable (${version.error?.message ?? version.stderr}): install Terraform >= 1.11 on PATH`);
  }
  return JSON.parse(version.stdout).terraform_version;
}

/**
 * Environment for offline terraform runs: a CLI config that installs hashicorp/aws from the
 * filesystem mirror (fails clearly when there is none), dummy AWS credentials, and the Google
 * and PartnerOIDC secrets as TF_VAR_ (required sensitive variables).
 */
export function offlineTerraformEnv(workDir: string): NodeJS.ProcessEnv {
  const mirror = findProviderMirror();
  if (!mirror) {
    throw new Error(
      `no Terraform provider mirror with ${AWS_PROVIDER.address}/${AWS_PROVIDER.version} found: ` +
        'set TF_PROVIDER_MIRROR to a filesystem mirror folder (e.g. /opt/tf-plugins)',
    );
  }
  return {
    ...process.env,
    TF_CLI_CONFIG_FILE: writeTerraformCliConfig(join(workDir, 'cli'), mirror),
    TF_IN_AUTOMATION: '1',
    TF_INPUT: '0',
    CHECKPOINT_DISABLE: '1',
    AWS_ACCESS_KEY_ID: 'offline-plan-dummy-key',
    AWS_SECRET_ACCESS_KEY: 'offline-plan-dummy-secret',
    AWS_EC2_METADATA_DISABLED: 'true',
    TF_VAR_google_client_secret: 'offline-plan-dummy-google-secret',
    TF_VAR_oidc_partneroidc_client_secret: 'offline-plan-dummy-oidc-secret',
  };
}

/** Runs terraform in `cwd`; throws with its output when it fails. */
export function terraform(args: readonly string[], cwd: string, env: NodeJS.ProcessEnv): TerraformRun {
  const run = spawnSync('terraform', [...args, '-no-color'], { cwd, env, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  const result = { status: run.status, stdout: run.stdout ?? '', stderr: run.stderr ?? '' };
  if (run.error || run.status !== 0) {
    throw new Error(`terraform ${args.join(' ')} failed in ${cwd} (exit ${run.status}):\n${result.stderr || result.stdout}`);
  }
  return result;
}

/** Number of resource instances a synthesized stack declares (a literal `count` counts as that many). */
export function countResources(stack: { resource?: Record<string, Record<string, { count?: unknown; for_each?: unknown }>> }): number {
  let total = 0;
  for (const [type, byId] of Object.entries(stack.resource ?? {})) {
    for (const [id, resource] of Object.entries(byId)) {
      if (resource.for_each !== undefined || (resource.count !== undefined && typeof resource.count !== 'number')) {
        throw new Error(`${type}.${id} uses a computed count/for_each: count it from the plan's config instead`);
      }
      total += typeof resource.count === 'number' ? resource.count : 1;
    }
  }
  return total;
}

/** The "Plan: N to add, C to change, D to destroy." figures of a plan's text output. */
export function planSummary(planText: string): { add: number; change: number; destroy: number } {
  const m = /Plan: (\d+) to add, (\d+) to change, (\d+) to destroy\./.exec(planText);
  if (!m) throw new Error(`no "Plan:" line in terraform output:\n${planText.slice(-2000)}`);
  return { add: Number(m[1]), change: Number(m[2]), destroy: Number(m[3]) };
}
