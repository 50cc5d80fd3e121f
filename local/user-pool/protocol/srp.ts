import { createDiffieHellman, createHash, createHmac, hkdfSync, randomBytes, timingSafeEqual } from 'node:crypto';
import { LRUCache } from 'lru-cache';

/**
 * The server half of Cognito's SRP-6a (`USER_SRP_AUTH` -> `PASSWORD_VERIFIER`), the math the
 * clients implement (amazon-cognito-identity-js `AuthenticationHelper`, aws-amplify's `srp/`):
 * RFC 5054's 3072-bit group with g = 2, SHA-256, `k = H(N | g)`, `u = H(A | B)`,
 * `x = H(salt | H(poolName | userId | ":" | password))`, the session key
 * `HKDF-SHA256(ikm = S, salt = u, info = "Caldera Derived Key", 16 bytes)`, and the claim
 * `HMAC-SHA256(key, poolName | userId | secretBlock | timestamp)`.
 *
 * Numbers are hashed in their minimal two's-complement big-endian form (Java's
 * `BigInteger.toByteArray`, what the clients' `padHex` produces). Modular exponentiation runs in
 * OpenSSL through node:crypto's Diffie-Hellman (`computeSecret` is `peer^private mod N`): 10x
 * faster than BigInt square-and-multiply on a 3072-bit modulus, and no hand-written bignum code.
 */

const N_HEX =
  'FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74020BBEA63B139B22514A08798E3404DD' +
  'EF9519B3CD3A431B302B0A6DF25F14374FE1356D6D51C245E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7ED' +
  'EE386BFB5A899FA5AE9F24117C4B1FE649286651ECE45B3DC2007CB8A163BF0598DA48361C55D39A69163FA8FD24CF5F' +
  '83655D23DCA3AD961C62F356208552BB9ED529077096966D670C354E4ABC9804F1746C08CA18217C32905E462E36CE3B' +
  'E39E772C180E86039B2783A2EC07A28FB5C55DF06F4C52C9DE2BCBF6955817183995497CEA956AE515D2261898FA0510' +
  '15728E5A8AAAC42DAD33170D04507A33A85521ABDF1CBA64ECFB850458DBEF0A8AEA71575D060C7DB3970F85A6E1E4C7' +
  'ABF5AE8CDB0933D71E8C94E04A25619DCEE3D2261AD2EE6BF12FFA06D98A0864D87602733EC86A64521F2B18177B200C' +
  'BBE117577A615D6C770988C0BAD946E208E24FA074E5AB3143DB5BFCE0FD108E4B82D120A93AD2CAFFFFFFFFFFFFFFFF';

const N = BigInt(`0x${N_HEX}`);
const N_BYTES = Buffer.from(N_HEX, 'hex');
const G = 2n;
const N_LENGTH = N_BYTES.length;
const INFO = Buffer.from('Caldera Derived Key', 'utf8');
/** Random bytes of the server's secret exponent b (256 bits: the 128-bit security level of the 3072-bit group). */
const SMALL_B_BYTES = 32;

/** A positive integer as the clients hash it: even-length hex, with `00` before a set top bit. */
function padHex(n: bigint): string {
  let hex = n.toString(16);
  if (hex.length % 2 !== 0) hex = `0${hex}`;
  return /^[89a-f]/i.test(hex) ? `00${hex}` : hex;
}

function sha256(...parts: (Buffer | string)[]): Buffer {
  const h = createHash('sha256');
  for (const p of parts) h.update(p);
  return h.digest();
}

function hexHash(hex: string): bigint {
  return BigInt(`0x${sha256(Buffer.from(hex, 'hex')).toString('hex')}`);
}

function toFixedBytes(n: bigint): Buffer {
  return Buffer.from(n.toString(16).padStart(N_LENGTH * 2, '0'), 'hex');
}

function toMinimalBytes(n: bigint): Buffer {
  const hex = n.toString(16);
  return Buffer.from(hex.length % 2 ? `0${hex}` : hex, 'hex');
}

/** `base^exp mod N` in OpenSSL. `base` must be in [2, N-2], as DH public values are. */
function modPow(base: bigint, exp: bigint): bigint {
  const dh = createDiffieHellman(N_BYTES, Buffer.from([Number(G)]));
  dh.setPrivateKey(toMinimalBytes(exp));
  return BigInt(`0x${dh.computeSecret(toFixedBytes(base)).toString('hex')}`);
}

const K = hexHash(padHex(N) + padHex(G));

/** The pool name the clients hash: the part of the pool id after the `_` (`eu-west-1_LocalDev` -> `LocalDev`). */
export function srpPoolName(poolId: string): string {
  return poolId.slice(poolId.indexOf('_') + 1);
}

/** `v = g^x`: what Cognito stores for a password. */
function passwordVerifier(poolName: string, userId: string, password: string, saltHex: string): bigint {
  const inner = sha256(`${poolName}${userId}:${password}`).toString('hex');
  const x = hexHash(padHex(BigInt(`0x${saltHex}`)) + inner);
  return modPow(G, x);
}

/** The server's state between `USER_SRP_AUTH` and `PASSWORD_VERIFIER`. */
export interface SrpChallenge {
  /** ChallengeParameters.SRP_B (hex). */
  readonly srpB: string;
  /** ChallengeParameters.SALT (hex). */
  readonly salt: string;
  /** ChallengeParameters.SECRET_BLOCK (base64): opaque to the client, signed back in the claim. */
  readonly secretBlock: string;
  /** The session key both sides derive; undefined when A was invalid (the claim then cannot verify). */
  readonly key: Buffer | undefined;
}

/** A in [1, N-1] with A mod N != 0; anything else is refused before any math (RFC 5054 2.5.4). */
export function parseSrpA(srpA: string): bigint | undefined {
  if (!/^[0-9a-fA-F]{1,1024}$/.test(srpA)) return undefined;
  const a = BigInt(`0x${srpA}`);
  return a % N === 0n ? undefined : a;
}

/**
 * Salt and verifier per (pool, user, password), made at the first sign-in with that password and
 * kept in memory: Cognito likewise keeps one salt and verifier per password (the same SALT at
 * every sign-in), and it saves one of the four 3072-bit exponentiations of a sign-in. Keyed by a
 * hash, bounded; a changed password is a new key.
 */
const verifiers = new LRUCache<string, { readonly salt: string; readonly v: bigint }>({ max: 1000 });

function storedVerifier(poolName: string, userId: string, password: string): { readonly salt: string; readonly v: bigint } {
  const key = sha256(`${poolName}\0${userId}\0${password}`).toString('base64');
  let entry = verifiers.get(key);
  if (entry === undefined) {
    const salt = randomBytes(16).toString('hex');
    entry = { salt, v: passwordVerifier(poolName, userId, password, salt) };
    verifiers.set(key, entry);
  }
  return entry;
}

/**
 * Answers `USER_SRP_AUTH`: the password's salt, a fresh b, `B = k*v + g^b`, and the session key
 * the client will derive if it knows the password. The password is known here (the local store
 * keeps it), so the verifier is made from it (storedVerifier).
 */
export function startSrp(poolName: string, userId: string, password: string, A: bigint): SrpChallenge {
  const { salt, v } = storedVerifier(poolName, userId, password);
  let b: bigint;
  let B: bigint;
  do {
    b = BigInt(`0x${randomBytes(SMALL_B_BYTES).toString('hex')}`);
    B = (K * v + modPow(G, b)) % N;
  } while (B === 0n);
  const u = hexHash(padHex(A) + padHex(B));
  const base = (A * modPow(v, u)) % N;
  // u = 0 or a degenerate base: no key, so the claim fails as a wrong password would.
  const key =
    u === 0n || base < 2n || base > N - 2n
      ? undefined
      : Buffer.from(hkdfSync('sha256', Buffer.from(padHex(modPow(base, b)), 'hex'), Buffer.from(padHex(u), 'hex'), INFO, 16));
  return { srpB: B.toString(16), salt, secretBlock: randomBytes(64).toString('base64'), key };
}

/** `PASSWORD_CLAIM_SIGNATURE`: base64 HMAC-SHA256 over poolName | userId | secretBlock | timestamp. */
export function passwordClaimSignature(key: Buffer, poolName: string, userId: string, secretBlock: string, timestamp: string): string {
  return createHmac('sha256', key)
    .update(Buffer.concat([Buffer.from(poolName, 'utf8'), Buffer.from(userId, 'utf8'), Buffer.from(secretBlock, 'base64'), Buffer.from(timestamp, 'utf8')]))
    .digest('base64');
}

/** True when the client's claim proves it derived the same key (constant-time comparison). */
export function verifyPasswordClaim(
  challenge: SrpChallenge,
  poolName: string,
  userId: string,
  timestamp: string,
  signature: string
): boolean {
  if (!challenge.key) return false;
  const expected = Buffer.from(passwordClaimSignature(challenge.key, poolName, userId, challenge.secretBlock, timestamp), 'base64');
  const given = Buffer.from(signature, 'base64');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** Cognito's TIMESTAMP format, `EEE MMM d HH:mm:ss UTC yyyy` (day of month unpadded), e.g. `Tue Dec 1 09:05:07 UTC 2026`. */
export function formatSrpTimestamp(d: Date): string {
  const two = (n: number) => String(n).padStart(2, '0');
  return `${DAYS[d.getUTCDay()]} ${MONTHS[d.getUTCMonth()]} ${d.getUTCDate()} ${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(
    d.getUTCSeconds()
  )} UTC ${d.getUTCFullYear()}`;
}

const TIMESTAMP = /^(Sun|Mon|Tue|Wed|Thu|Fri|Sat) (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) (\d{1,2}) (\d{2}):(\d{2}):(\d{2}) UTC (\d{4})$/;

/** Parses a TIMESTAMP in Cognito's format (weekday checked too); undefined for anything else. */
export function parseSrpTimestamp(s: string): Date | undefined {
  const m = TIMESTAMP.exec(s);
  if (!m) return undefined;
  const [, day, month, date, hh, mm, ss, year] = m;
  const d = new Date(Date.UTC(Number(year), MONTHS.indexOf(month), Number(date), Number(hh), Number(mm), Number(ss)));
  return Number.isNaN(d.getTime()) || formatSrpTimestamp(d) !== s || DAYS[d.getUTCDay()] !== day ? undefined : d;
}
