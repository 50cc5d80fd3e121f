import { mappingRules, resolveRole, RoleMappingSettings } from '../access/role-mapping';
import { storageGrantsFor } from '../access/storage-grants';
import type { StorageRule } from '../config/types';

// Hand-written cases from appsync-cognito-semantics.md, "Identity pool role mapping".
const GROUPS = [
  { name: 'subscribers', precedence: 3 },
  { name: 'admins', precedence: 1 },
  { name: 'editors', precedence: 2 },
];
const settings = (
  roleMapping: 'rules' | 'token',
  ambiguousRoleResolution: 'AuthenticatedRole' | 'Deny' = 'AuthenticatedRole',
  groups = GROUPS,
): RoleMappingSettings => ({ groups, identityPool: { roleMapping, ambiguousRoleResolution } });

describe('Rules mapping: first matching rule in precedence order wins', () => {
  it('orders one cognito:groups Contains rule per group by precedence', () => {
    expect(mappingRules(GROUPS).map((r) => `${r.claim} ${r.matchType} ${r.value}`)).toEqual([
      'cognito:groups Contains admins',
      'cognito:groups Contains editors',
      'cognito:groups Contains subscribers',
    ]);
  });

  it.each([
    [['subscribers'], 'subscribers'],
    [['subscribers', 'editors'], 'editors'],
    [['subscribers', 'editors', 'admins'], 'admins'],
  ])('groups %j -> the %s role', (groups, role) => {
    const r = resolveRole(settings('rules'), groups);
    expect(r.role).toEqual({ kind: 'group', group: role });
    expect(r.ambiguous).toBe(false);
  });

  it('no group: ambiguous resolution AuthenticatedRole gives the default authenticated role', () => {
    expect(resolveRole(settings('rules'), [])).toMatchObject({ role: { kind: 'authenticated' }, ambiguous: true });
  });

  it('no group with Deny: no credentials', () => {
    expect(resolveRole(settings('rules', 'Deny'), [])).toMatchObject({ role: null, ambiguous: true });
  });

  it('an unconfigured group matches no rule', () => {
    const r = resolveRole(settings('rules', 'Deny'), ['strangers']);
    expect(r.role).toBeNull();
    expect(r.steps.join('\n')).toContain('not configured groups (no role): strangers');
  });
});

describe('Token mapping: cognito:preferred_role', () => {
  it('is the role of the lowest precedence number group', () => {
    expect(resolveRole(settings('token'), ['subscribers', 'editors']).role).toEqual({ kind: 'group', group: 'editors' });
  });

  it('is absent with two groups of equal precedence: ambiguous resolution decides', () => {
    const tied = [
      { name: 'a', precedence: 5 },
      { name: 'b', precedence: 5 },
      { name: 'c', precedence: 9 },
    ];
    const r = resolveRole(settings('token', 'Deny', tied), ['a', 'b', 'c']);
    expect(r).toMatchObject({ role: null, ambiguous: true });
    expect(r.steps.join('\n')).toContain('groups a, b share precedence 5');
    expect(resolveRole(settings('token', 'AuthenticatedRole', tied), ['a', 'b']).role).toEqual({ kind: 'authenticated' });
  });

  it('a tie above the lowest number does not matter', () => {
    const tied = [
      { name: 'a', precedence: 5 },
      { name: 'b', precedence: 5 },
      { name: 'top', precedence: 1 },
    ];
    expect(resolveRole(settings('token', 'Deny', tied), ['a', 'b', 'top']).role).toEqual({ kind: 'group', group: 'top' });
  });

  it('no group: no preferred role', () => {
    expect(resolveRole(settings('token', 'Deny'), [])).toMatchObject({ role: null, ambiguous: true });
  });
});

describe('storageGrantsFor', () => {
  const rules: StorageRule[] = [
    { prefix: 'public/', read: 'authenticated' },
    { prefix: 'premium/', read: { groups: ['subscribers', 'editors'] }, write: { groups: ['editors'] } },
    { prefix: 'private/{owner}/', read: 'owner', write: 'owner' },
    { prefix: 'archive/' },
  ];
  it('gives the default authenticated role the authenticated and owner prefixes only', () => {
    expect(storageGrantsFor(rules, { kind: 'authenticated' })).toEqual({
      read: ['public/', 'private/{owner}/'],
      write: ['private/{owner}/'],
    });
  });
  it('adds the prefixes naming the group to its role', () => {
    expect(storageGrantsFor(rules, { kind: 'group', group: 'editors' })).toEqual({
      read: ['public/', 'premium/', 'private/{owner}/'],
      write: ['premium/', 'private/{owner}/'],
    });
    expect(storageGrantsFor(rules, { kind: 'group', group: 'subscribers' }).write).toEqual(['private/{owner}/']);
  });
});
