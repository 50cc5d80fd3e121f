import { Secret, TOTP } from 'otpauth';

/**
 * TOTP as Cognito's software-token MFA uses it (RFC 6238: SHA-1, 6 digits, 30 s), by the
 * `otpauth` library. A code of the previous or next 30 s step is accepted too, for clock skew.
 */

/** A new shared secret, base32 (what AssociateSoftwareToken returns as `SecretCode`). 160 bits, as RFC 4226 recommends. */
export function newTotpSecret(): string {
  return new Secret({ size: 20 }).base32;
}

function totp(secretBase32: string): TOTP {
  return new TOTP({ secret: Secret.fromBase32(secretBase32), algorithm: 'SHA1', digits: 6, period: 30 });
}

/** True when `code` is the secret's code at `now` (one step either side). */
export function checkTotp(secretBase32: string, code: string, now: Date): boolean {
  if (!/^\d{6}$/.test(code)) return false;
  return totp(secretBase32).validate({ token: code, timestamp: now.getTime(), window: 1 }) !== null;
}

/** The secret's code at `now` (demo tooling and tests). */
export function totpCode(secretBase32: string, now: Date): string {
  return totp(secretBase32).generate({ timestamp: now.getTime() });
}
