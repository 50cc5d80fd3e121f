import {
  formatSrpTimestamp,
  parseSrpA,
  parseSrpTimestamp,
  passwordClaimSignature,
  srpPoolName,
  startSrp,
  verifyPasswordClaim,
} from '../local/user-pool/protocol/srp';
import { checkPasswordPolicy } from '../local/user-pool/protocol/password-policy';
import { clientClaim } from './helpers/srp-client';

describe('SRP (server half) against amazon-cognito-identity-js AuthenticationHelper', () => {
  const poolName = srpPoolName('eu-west-1_LocalDev');
  const ts = 'Tue Dec 1 09:05:07 UTC 2026';

  test('the pool name is the part of the pool id after the underscore', () => {
    expect(poolName).toBe('LocalDev');
  });

  test('the client derives the same key for the right password: its claim verifies', async () => {
    const client = await clientClaim(poolName, 'ann@example.com', 'Passw0rd!long');
    const challenge = startSrp(poolName, 'ann@example.com', 'Passw0rd!long', parseSrpA(client.A)!);
    const signature = await client.sign(challenge.srpB, challenge.salt, challenge.secretBlock, ts);
    expect(signature).toBe(passwordClaimSignature(challenge.key!, poolName, 'ann@example.com', challenge.secretBlock, ts));
    expect(verifyPasswordClaim(challenge, poolName, 'ann@example.com', ts, signature)).toBe(true);
    // The claim binds the timestamp: another one does not verify.
    expect(verifyPasswordClaim(challenge, poolName, 'ann@example.com', 'Tue Dec 1 09:05:08 UTC 2026', signature)).toBe(false);
  });

  test('a wrong password, or another user id, gives a claim that does not verify', async () => {
    const wrong = await clientClaim(poolName, 'ann@example.com', 'Wrong0!password');
    const c1 = startSrp(poolName, 'ann@example.com', 'Passw0rd!long', parseSrpA(wrong.A)!);
    expect(verifyPasswordClaim(c1, poolName, 'ann@example.com', ts, await wrong.sign(c1.srpB, c1.salt, c1.secretBlock, ts))).toBe(false);
    const other = await clientClaim(poolName, 'bob@example.com', 'Passw0rd!long');
    const c2 = startSrp(poolName, 'ann@example.com', 'Passw0rd!long', parseSrpA(other.A)!);
    expect(verifyPasswordClaim(c2, poolName, 'ann@example.com', ts, await other.sign(c2.srpB, c2.salt, c2.secretBlock, ts))).toBe(false);
  });

  test('a password keeps its salt across sign-ins (as Cognito stores one per password); a new password gets a new one; b is fresh each time', async () => {
    const first = await clientClaim(poolName, 'cay@example.com', 'Passw0rd!long');
    const c1 = startSrp(poolName, 'cay@example.com', 'Passw0rd!long', parseSrpA(first.A)!);
    const second = await clientClaim(poolName, 'cay@example.com', 'Passw0rd!long');
    const c2 = startSrp(poolName, 'cay@example.com', 'Passw0rd!long', parseSrpA(second.A)!);
    expect(c2.salt).toBe(c1.salt);
    expect(c2.srpB).not.toBe(c1.srpB);
    // The kept verifier still gives the key the client derives.
    expect(verifyPasswordClaim(c2, poolName, 'cay@example.com', ts, await second.sign(c2.srpB, c2.salt, c2.secretBlock, ts))).toBe(true);
    const changed = startSrp(poolName, 'cay@example.com', 'Other-Passw0rd!', parseSrpA(second.A)!);
    expect(changed.salt).not.toBe(c1.salt);
  });

  test('SRP_A that is not hex or is 0 mod N is refused before any math', () => {
    expect(parseSrpA('xyz')).toBeUndefined();
    expect(parseSrpA('0')).toBeUndefined();
    expect(parseSrpA('00')).toBeUndefined();
    expect(parseSrpA('abc123')).toBe(0xabc123n);
  });
});

describe("SRP TIMESTAMP (Cognito's EEE MMM d HH:mm:ss UTC yyyy)", () => {
  test('formats with an unpadded day of month, as the clients do', () => {
    expect(formatSrpTimestamp(new Date('2026-12-01T09:05:07Z'))).toBe('Tue Dec 1 09:05:07 UTC 2026');
    expect(formatSrpTimestamp(new Date('2027-01-23T23:59:00Z'))).toBe('Sat Jan 23 23:59:00 UTC 2027');
  });

  test.each([
    ['Tue Dec 1 09:05:07 UTC 2026', '2026-12-01T09:05:07.000Z'],
    ['Sat Jan 23 23:59:00 UTC 2027', '2027-01-23T23:59:00.000Z'],
  ])('parses %s', (s, iso) => {
    expect(parseSrpTimestamp(s)?.toISOString()).toBe(iso);
  });

  test.each([
    ['an ISO time', '2026-12-01T09:05:07Z'],
    ['a wrong weekday', 'Mon Dec 1 09:05:07 UTC 2026'],
    ['a zero-padded day', 'Tue Dec 01 09:05:07 UTC 2026'],
    ['another zone', 'Tue Dec 1 09:05:07 GMT 2026'],
    ['a day the month lacks', 'Thu Feb 30 09:05:07 UTC 2026'],
  ])('refuses %s', (_what, s) => {
    expect(parseSrpTimestamp(s)).toBeUndefined();
  });
});

describe('password policy (Cognito messages)', () => {
  const policy = { minimumLength: 12, requireLowercase: true, requireUppercase: true, requireNumbers: true, requireSymbols: true, temporaryPasswordValidityDays: 3 };
  test.each([
    ['Sh0rt!a', 'Password not long enough'],
    ['NOLOWERCASE123!', 'Password must have lowercase characters'],
    ['nouppercase123!', 'Password must have uppercase characters'],
    ['NoNumbersHere!!', 'Password must have numeric characters'],
    ['NoSymbolsHere123', 'Password must have symbol characters'],
  ])('%s: %s', (pw, rule) => {
    expect(() => checkPasswordPolicy(policy, pw)).toThrow(expect.objectContaining({ code: 'InvalidPasswordException', message: `Password does not conform to policy: ${rule}` }));
  });

  test('a password meeting every rule passes; each rule the stack turns off is not checked', () => {
    expect(() => checkPasswordPolicy(policy, 'Good Passw0rd!')).not.toThrow();
    expect(() => checkPasswordPolicy({ ...policy, requireSymbols: false, requireUppercase: false }, 'lowercase1234')).not.toThrow();
  });

  test('leading or trailing spaces fail the request validation first', () => {
    expect(() => checkPasswordPolicy(policy, ' Good Passw0rd!')).toThrow(expect.objectContaining({ code: 'InvalidParameterException' }));
  });
});
