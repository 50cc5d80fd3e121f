import type { ExistingCustomAttribute, ProjectConfig } from '../config';
import { UserFacingError } from '../config/errors';
import { ImmutableMismatchError } from '../constructs/adoption';
import { onlyResource, resourcesOf, synthStack, type SynthJson } from './helpers/identity-stack';

/**
 * Adopting an existing user pool (`environments.<env>.existing`): Terraform `import` blocks
 * for the pool and its parts instead of new resources, and a synth-time refusal of a pool
 * whose immutable settings differ from the stack's.
 */

type Existing = NonNullable<ProjectConfig['environments'][string]['existing']>;

const POOL = 'eu-west-1_AbC123xyz';
const IDENTITY_POOL = 'eu-west-1:0f2d6a3e-1b2c-4d5e-8f90-123456789abc';
const MATCHING: Existing['immutable'] & { customAttributes: readonly ExistingCustomAttribute[] } = {
  poolName: 'legacy-users',
  usernameAttributes: ['email'],
  caseSensitive: false,
  customAttributes: [{ name: 'idp_groups', type: 'String', mutable: true, minLength: 0, maxLength: 2048 }],
};

function withExisting(existing: Existing): (raw: ProjectConfig) => void {
  return (raw) => {
    (raw.environments.dev as { existing?: Existing }).existing = existing;
  };
}

interface ImportBlock {
  readonly to: string;
  readonly id: string;
}
const importsOf = (json: SynthJson): ImportBlock[] => ((json as unknown as { import?: ImportBlock[] }).import ?? []);

/** The `to` address of the one resource of `type` whose attribute `key` is `value`. */
function addressWhere(json: SynthJson, type: string, key: string, value: unknown): string {
  const found = Object.entries(resourcesOf(json, type)).filter(([, r]) => r[key] === value);
  if (found.length !== 1) throw new Error(`expected one ${type} with ${key} = ${JSON.stringify(value)}, found ${found.length}`);
  return `${type}.${found[0][0]}`;
}
const addressOf = (json: SynthJson, type: string) => `${type}.${Object.keys(resourcesOf(json, type))[0]}`;

let full: SynthJson;
let partial: SynthJson;
let plain: SynthJson;

beforeAll(() => {
  full = synthStack({
    edit: withExisting({ userPoolId: POOL, identityPoolId: IDENTITY_POOL, clientIds: { web: 'web4client5id6', server: 'server7client8id' }, immutable: MATCHING }),
  });
  // The pool lacks custom:idp_groups (added in place) and the editors/subscribers groups and its domain.
  partial = synthStack({
    edit: withExisting({ userPoolId: POOL, groups: ['admins'], importDomain: false, immutable: { ...MATCHING, customAttributes: [] } }),
  });
  plain = synthStack();
});

describe('import blocks for dev', () => {
  test('the pool, every group, the domain, both named clients, the identity pool and its roles attachment, with the provider docs’ import IDs', () => {
    const imports = Object.fromEntries(importsOf(full).map((i) => [i.to, i.id]));
    expect(imports).toEqual({
      [addressOf(full, 'aws_cognito_user_pool')]: POOL,
      [addressWhere(full, 'aws_cognito_user_group', 'name', 'admins')]: `${POOL}/admins`,
      [addressWhere(full, 'aws_cognito_user_group', 'name', 'editors')]: `${POOL}/editors`,
      [addressWhere(full, 'aws_cognito_user_group', 'name', 'subscribers')]: `${POOL}/subscribers`,
      [addressOf(full, 'aws_cognito_user_pool_domain')]: 'content-dev-signin',
      [addressWhere(full, 'aws_cognito_user_pool_client', 'name', 'content-dev-web')]: `${POOL}/web4client5id6`,
      [addressWhere(full, 'aws_cognito_user_pool_client', 'name', 'content-dev-server')]: `${POOL}/server7client8id`,
      [addressOf(full, 'aws_cognito_identity_pool')]: IDENTITY_POOL,
      [addressOf(full, 'aws_cognito_identity_pool_roles_attachment')]: IDENTITY_POOL,
    });
  });

  test('the adopted pool keeps its own name (Cognito cannot rename a pool); resource addresses are those of a new stack', () => {
    expect(onlyResource(full, 'aws_cognito_user_pool').name).toBe('legacy-users');
    for (const type of ['aws_cognito_user_pool', 'aws_cognito_user_group', 'aws_cognito_user_pool_client', 'aws_cognito_identity_pool']) {
      expect(Object.keys(resourcesOf(full, type)).sort()).toEqual(Object.keys(resourcesOf(plain, type)).sort());
    }
  });

  test('only what exists is imported: listed groups, no domain when importDomain is false, clients and identity pool only when named', () => {
    expect(importsOf(partial).map((i) => i.id).sort()).toEqual([POOL, `${POOL}/admins`]);
  });

  test('a stack without `existing` has no import block', () => {
    expect(importsOf(plain)).toEqual([]);
  });
});

describe('immutable settings are compared with the stack', () => {
  const refused = (immutable: Partial<Existing['immutable']>): UserFacingError => {
    try {
      synthStack({ edit: withExisting({ userPoolId: POOL, immutable: { ...MATCHING, ...immutable } }) });
    } catch (e) {
      expect(e).toBeInstanceOf(ImmutableMismatchError);
      return e as UserFacingError;
    }
    throw new Error('synth accepted a pool Terraform would replace');
  };

  test('a pool whose users sign in with a phone number is refused, naming the key and why the pool would be replaced', () => {
    const e = refused({ usernameAttributes: ['phone_number'] });
    expect(e.location).toBe('config/project.ts: environments.dev.existing.immutable.usernameAttributes = ["phone_number"]');
    expect(e.problem).toContain('the stack declares ["email"]');
    expect(e.message).toMatch(/Terraform would destroy the pool and create a new one: every user/);
  });

  test('case sensitivity and a changed custom attribute are refused too, all mismatches in one message', () => {
    const e = refused({ caseSensitive: true, customAttributes: [{ name: 'idp_groups', type: 'String', mutable: true, minLength: 0, maxLength: 256 }] });
    expect(e.message).toContain('environments.dev.existing.immutable.caseSensitive = true');
    expect(e.message).toContain('environments.dev.existing.immutable.customAttributes[0] = {"name":"idp_groups"');
    expect(e.message.split('\n')).toHaveLength(2);
  });

  test('a custom attribute the stack does not declare is refused (it cannot be removed)', () => {
    const e = refused({ customAttributes: [...MATCHING.customAttributes, { name: 'tier', type: 'Number', mutable: true, minLength: 0, maxLength: 2048 }] });
    expect(e.location).toContain('customAttributes[1]');
    expect(e.problem).toContain('custom:tier is not declared');
  });

  test('a mutable difference is allowed: the pool lacking custom:idp_groups synthesizes (the plan adds it in place)', () => {
    expect(onlyResource(partial, 'aws_cognito_user_pool').schema[0].name).toBe('idp_groups');
  });
});
