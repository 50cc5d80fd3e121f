import type { LocalPasswordPolicy } from '../../stack-reader';
import { UserPoolError, invalidParameter } from './errors';

/** Cognito's accepted symbols (the "special characters" of its password policy). */
const SYMBOLS = `^$*.[]{}()?"!@#%&/\\,><':;|_~\`=+- `;

/**
 * Checks a new password against the pool's policy as Cognito does: the first broken rule is
 * the answer, `InvalidPasswordException` with Cognito's wording. Leading or trailing
 * whitespace and more than 256 characters fail Cognito's request validation first.
 */
export function checkPasswordPolicy(policy: LocalPasswordPolicy, password: string, field = 'password'): void {
  if (password.length > 256 || !/^\S(.*\S)?$/s.test(password)) {
    throw invalidParameter(`1 validation error detected: Value at '${field}' failed to satisfy constraint: Member must satisfy regular expression pattern: ^[\\S]+.*[\\S]+$`);
  }
  const broken = (rule: string) => new UserPoolError('InvalidPasswordException', `Password does not conform to policy: ${rule}`);
  if ([...password].length < policy.minimumLength) throw broken('Password not long enough');
  if (policy.requireLowercase && !/[a-z]/.test(password)) throw broken('Password must have lowercase characters');
  if (policy.requireUppercase && !/[A-Z]/.test(password)) throw broken('Password must have uppercase characters');
  if (policy.requireNumbers && !/[0-9]/.test(password)) throw broken('Password must have numeric characters');
  if (policy.requireSymbols && ![...password].some((c) => SYMBOLS.includes(c))) throw broken('Password must have symbol characters');
}
