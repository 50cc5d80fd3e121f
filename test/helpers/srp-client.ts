import { createHmac } from 'node:crypto';

// The reference client's own SRP helper (amazon-cognito-identity-js), unmodified; it ships no types for these modules.
/* eslint-disable @typescript-eslint/no-require-imports */
const AuthenticationHelper = require('amazon-cognito-identity-js/lib/AuthenticationHelper').default as new (poolName: string) => any;
const BigInteger = require('amazon-cognito-identity-js/lib/BigInteger').default as new (hex: string, radix: number) => unknown;
/* eslint-enable @typescript-eslint/no-require-imports */

/** The client half, as amazon-cognito-identity-js computes it: A, then the claim for B and salt. */
export async function clientClaim(poolName: string, userId: string, password: string) {
  const helper = new AuthenticationHelper(poolName);
  const A: string = await new Promise((resolve, reject) => helper.getLargeAValue((e: Error | null, a: { toString(r: number): string }) => (e ? reject(e) : resolve(a.toString(16)))));
  return {
    A,
    sign: (srpB: string, salt: string, secretBlock: string, timestamp: string): Promise<string> =>
      new Promise((resolve, reject) =>
        helper.getPasswordAuthenticationKey(userId, password, new BigInteger(srpB, 16), new BigInteger(salt, 16), (e: Error | null, key: Buffer) => {
          if (e) return reject(e);
          const msg = Buffer.concat([Buffer.from(poolName), Buffer.from(userId), Buffer.from(secretBlock, 'base64'), Buffer.from(timestamp)]);
          resolve(createHmac('sha256', key).update(msg).digest('base64'));
        })
      ),
  };
}

