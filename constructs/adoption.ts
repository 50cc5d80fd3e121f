import type { TerraformResource } from 'cdktf';
import type { ResolvedExisting } from '../config';
import { formatErrorParts, UserFacingError, type ErrorParts } from '../config/errors';
import { POOL_IMMUTABLE, type PoolCustomAttribute } from './user-directory';

/**
 * Adopting an existing user pool: the synth-time refusal of a pool whose immutable settings
 * differ from the stack's (Terraform would replace it, users and all), and the Terraform
 * `import` blocks (cdktf `importFrom`) that take the pool and its parts into state instead of
 * creating them. Import IDs are those of the hashicorp/aws 5.100.0 provider documentation.
 */

const WHY = 'Cognito cannot change this after a pool is created, so Terraform would destroy the pool and create a new one: every user, password and MFA device in it would be lost';

/** What Terraform would replace the pool over: one entry per immutable setting that differs. */
function immutableMismatches(keyPrefix: string, declared: ResolvedExisting['immutable'], stack = POOL_IMMUTABLE): ErrorParts[] {
  const out: ErrorParts[] = [];
  const sameSet = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((x) => b.includes(x));
  const differs = (key: string, value: unknown, ours: unknown, what: string) =>
    out.push({ location: `${keyPrefix}.${key} = ${JSON.stringify(value)}`, problem: `the stack declares ${JSON.stringify(ours)} (${what}); ${WHY}`, fix: FIX });
  if (!sameSet(declared.usernameAttributes, stack.usernameAttributes)) {
    differs('usernameAttributes', declared.usernameAttributes, stack.usernameAttributes, 'username attributes: users sign in with their email');
  }
  if (!sameSet(declared.aliasAttributes, stack.aliasAttributes)) differs('aliasAttributes', declared.aliasAttributes, stack.aliasAttributes, 'alias attributes');
  if (declared.caseSensitive !== stack.caseSensitive) {
    differs('caseSensitive', declared.caseSensitive, stack.caseSensitive, 'username case sensitivity');
  }
  declared.customAttributes.forEach((a, i) => {
    const ours = stack.customAttributes.find((c) => c.name === a.name);
    const key = `customAttributes[${i}]`;
    if (!ours) differs(key, a, stack.customAttributes, `custom attribute schema: custom:${a.name} is not declared, and a custom attribute cannot be removed`);
    else if (!sameAttribute(a, ours)) differs(key, a, ours, `custom attribute schema: custom:${a.name} cannot be changed`);
  });
  // A declared attribute the pool lacks is added in place (AddCustomAttributes): no mismatch.
  return out;
}

const FIX = 'adopt a pool whose settings match, or migrate its users to a pool this stack creates (remove `existing`)';

function sameAttribute(a: PoolCustomAttribute, b: PoolCustomAttribute): boolean {
  const lengths = a.type !== 'String' || (a.minLength === b.minLength && a.maxLength === b.maxLength);
  return a.type === b.type && a.mutable === b.mutable && lengths;
}

/** Refuses, before any resource exists, an existing pool whose immutable settings differ from the stack's. */
export class ImmutableMismatchError extends UserFacingError {
  constructor(readonly mismatches: readonly ErrorParts[]) {
    super(mismatches[0], mismatches.map(formatErrorParts).join('\n'));
  }
}

/** Throws ImmutableMismatchError listing every mismatch; `keyPrefix` names the file and key, e.g. `config/project.ts: environments.dev.existing.immutable`. */
export function checkAdoptable(keyPrefix: string, existing: ResolvedExisting): void {
  const mismatches = immutableMismatches(keyPrefix, existing.immutable);
  if (mismatches.length) throw new ImmutableMismatchError(mismatches);
}

/** The stack's resources an adoption imports. */
export interface AdoptedResources {
  readonly userPool: TerraformResource;
  /** Group name -> its group resource. */
  readonly groups: Readonly<Record<string, TerraformResource>>;
  readonly domain: TerraformResource;
  /** The domain's import ID: the prefix, or the custom domain's host name. */
  readonly domainName: string;
  readonly webClient: TerraformResource;
  readonly serverClient: TerraformResource;
  readonly identityPool: TerraformResource;
  readonly rolesAttachment: TerraformResource;
}

/**
 * Marks each adopted resource for import with its import ID (`import` blocks in the synthesized
 * JSON): the pool, its groups, the domain, the app clients, the identity pool and its roles.
 */
export function adoptExisting(existing: ResolvedExisting, r: AdoptedResources): void {
  const pool = existing.userPoolId;
  r.userPool.importFrom(pool);
  for (const name of existing.groups) {
    const group = r.groups[name];
    if (!group) throw new Error(`adoptExisting: no resource for group:${name}`);
    group.importFrom(`${pool}/${name}`);
  }
  if (existing.importDomain) r.domain.importFrom(r.domainName);
  if (existing.clientIds.web) r.webClient.importFrom(`${pool}/${existing.clientIds.web}`);
  if (existing.clientIds.server) r.serverClient.importFrom(`${pool}/${existing.clientIds.server}`);
  if (existing.identityPoolId) {
    r.identityPool.importFrom(existing.identityPoolId);
    r.rolesAttachment.importFrom(existing.identityPoolId);
  }
}
