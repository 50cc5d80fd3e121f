import type { PreTokenGenerationV2TriggerEvent } from 'aws-lambda';
import { loadLambda, type LocalLambda } from './lambda-runner';
import { readStackFederation, type StackFederation } from './stack-federation';
import type { LocalStack } from '../stack-reader';
import type { PreTokenGenerationV2Input, PreTokenHook } from '../user-pool/token-issuer';

/**
 * The pre-token-generation trigger of the stack, run from its own Lambda zip as Cognito runs
 * it: a V2 event before every user token issuance, whose `claimsAndScopeOverrideDetails` the
 * token issuer applies (groups -> `cognito:groups`, roles, claims, scopes). IdP groups thus
 * map to `cognito:groups` by the deployed code and settings, not by a local copy of them.
 */

export interface PreTokenHookOptions {
  readonly stack: Pick<LocalStack, 'source' | 'region' | 'userPool'>;
  /** The stack's federation, when already read. @default read from `stack.source` */
  readonly federation?: StackFederation;
}

/** The V2 event Cognito sends to the trigger. */
function preTokenGenerationEvent(
  input: PreTokenGenerationV2Input,
  pool: { readonly region: string; readonly poolId: string },
): PreTokenGenerationV2TriggerEvent {
  return {
    version: '2',
    triggerSource: input.triggerSource,
    region: pool.region,
    userPoolId: pool.poolId,
    userName: input.userName,
    callerContext: { awsSdkVersion: 'aws-sdk-unknown-unknown', clientId: input.clientId },
    request: {
      userAttributes: { ...input.userAttributes },
      groupConfiguration: {
        groupsToOverride: [...input.groupConfiguration.groupsToOverride],
        iamRolesToOverride: [...input.groupConfiguration.iamRolesToOverride],
        ...(input.groupConfiguration.preferredRole !== undefined ? { preferredRole: input.groupConfiguration.preferredRole } : {}),
      },
      scopes: [...input.scopes],
    },
    response: { claimsAndScopeOverrideDetails: null as never },
  };
}

/**
 * The stack's pre-token-generation trigger as a `PreTokenHook`, or undefined when the pool has
 * none. Only V2_0 (and V3_0, whose event is the V2 one plus machine-to-machine) is run: a V1_0
 * trigger receives another event and can override no access-token claim.
 */
export function createPreTokenHook(options: PreTokenHookOptions): PreTokenHook | undefined {
  const federation = options.federation ?? readStackFederation(options.stack);
  const trigger = federation.triggers.preTokenGeneration;
  if (!trigger) return undefined;
  if (trigger.version === 'V1_0') {
    throw new Error(
      `${federation.source}: the pre-token-generation trigger ${trigger.fn.functionName} is lambda_version V1_0: expected V2_0 (the local mode sends V2 events)`,
    );
  }
  let lambda: LocalLambda | undefined;
  const pool = { region: options.stack.region, poolId: options.stack.userPool.poolId };
  return async (input) => {
    lambda ??= loadLambda(trigger.fn, { region: options.stack.region });
    const answer = await lambda.invoke<PreTokenGenerationV2TriggerEvent>(preTokenGenerationEvent(input, pool));
    return answer?.response?.claimsAndScopeOverrideDetails ?? undefined;
  };
}
