import type { GraphQLSchema } from 'graphql';
import { type ErrorParts, formatErrorParts, UserFacingError } from '../config/errors';
import type { ResolvedConfig } from '../config';
import type { AuthModel } from './auth-model';
import { authModelFor } from './project-access';
import { schemaChecks } from './schema-checks';
import { stackChecks } from './stack-checks';
import type { TerraformJson } from './terraform-json';

/**
 * The synth-time access checks. main.ts runs `checkProject` before any construct exists and
 * `checkStack` on each stack's in-memory Terraform JSON before `app.synth()` writes anything,
 * so a failed check leaves cdktf.out as it was.
 */

/** One problem: where it is, what is wrong, how to fix it (the parts of every UserFacingError, with a fix). */
export interface Finding extends ErrorParts {
  /** `schema.graphql:<line>`, `config/project.ts: <key> = <value>` or `stack <env>: resource.<type>.<name>...`. */
  readonly location: string;
  readonly fix: string;
}

export function formatFinding(f: Finding): string {
  return formatErrorParts(f);
}

/** Thrown when a check finds problems; the message lists every one. */
export class AccessCheckError extends UserFacingError {
  constructor(readonly findings: readonly Finding[]) {
    super(
      {
        location: [...new Set(findings.map((f) => f.location))].join('; '),
        problem: `access checks failed (${findings.length})`,
        fix: findings.map((f) => f.fix).join('; '),
      },
      `access checks failed (${findings.length}):\n${findings.map((f) => `  - ${formatFinding(f)}`).join('\n')}`,
    );
  }
}

function assertNone(findings: Finding[]): void {
  if (findings.length) throw new AccessCheckError(findings);
}

/** Schema and config checks; throws AccessCheckError. Returns the auth model it checked, for `checkStack`. */
export function checkProject(config: ResolvedConfig, schema: GraphQLSchema): AuthModel {
  const model = authModelFor(config, schema);
  assertNone(schemaChecks(model, config));
  return model;
}

/** Checks of one synthesized stack (`stack.toTerraform()`) against the config and its auth model; throws AccessCheckError. */
export function checkStack(stackName: string, json: TerraformJson, config: ResolvedConfig, model: AuthModel): void {
  assertNone(stackChecks(stackName, json, config, model));
}
