import * as path from 'node:path';
import { buildAppSyncSchema } from './appsync-schema';
import { createAuthModel } from './auth-model';
import { AccessCheckError } from './checks';
import { evaluateAccess } from './evaluated-access';
import { AccessMatrix, buildMatrix, MatrixConfig, personasOf, reachableFields } from './matrix';
import { apiAuthFromConfig } from './project-access';
import { readStackIam, type StackIam } from '../local/iam/stack-iam';
import { ensureSynthesized } from '../local/synth-stack';

/**
 * The access matrix with its storage part and IAM-caller cells evaluated from a synthesized
 * stack's policies (dev-time: see access/evaluated-access.ts for why synth does not load it).
 * Throws AccessCheckError naming each policy statement that disagrees with the config.
 */
export async function evaluatedMatrixOf(config: MatrixConfig, sdl: string, iam: StackIam, stackName: string): Promise<AccessMatrix> {
  const schema = buildAppSyncSchema(sdl);
  const configured = createAuthModel(schema, apiAuthFromConfig(config));
  const topLevel = reachableFields(configured).filter((f) => f.topLevel).map((f) => `${f.typeName}.${f.fieldName}`);
  const personas = personasOf(config).flatMap((p) => (p.caller?.mode === 'AMAZON_COGNITO_USER_POOLS' ? [{ id: p.id, groups: p.caller.groups }] : []));
  const evaluated = await evaluateAccess(config, iam, personas, topLevel, stackName);
  if (evaluated.findings.length) throw new AccessCheckError(evaluated.findings);
  // The IAM callers' grants are the evaluated ones, not the config's.
  const model = createAuthModel(schema, { ...apiAuthFromConfig(config), iamGrants: evaluated.iamGrants });
  return buildMatrix(model, config, { stack: stackName, storage: evaluated.storage, iamDecisions: evaluated.iamDecisions });
}

/**
 * The local environment's synthesized stack (synthesized first when stale, as `npm start` does).
 * @public the CLIs take it from a lazy `require()`, whose names knip does not see.
 */
export function projectStack(root: string, env: string): { iam: StackIam; name: string } {
  const { stackFile } = ensureSynthesized(root, env);
  return { iam: readStackIam(stackFile), name: path.basename(path.dirname(stackFile)) };
}
