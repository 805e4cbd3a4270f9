import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';

/**
 * Password hashes in a self-describing format, `scrypt$N$r$p$saltB64$hashB64`, so the cost
 * parameters can be raised later without invalidating stored hashes.
 */
export const SCRYPT_PARAMS = { N: 16_384, r: 8, p: 1 } as const;
const KEY_LENGTH = 64;
const SALT_LENGTH = 16;
// Bounds for parameters read back from storage: a corrupt row must not ask for gigabytes.
const MAX_N = 1 << 20;
const MAX_R = 32;
const MAX_P = 16;

interface ParsedHash {
  params: { N: number; r: number; p: number };
  salt: Buffer;
  hash: Buffer;
}

function derive(password: string, salt: Buffer, keyLength: number, params: ParsedHash['params']): Promise<Buffer> {
  // scrypt needs 128·N·r bytes; the default maxmem (32 MiB) would reject larger stored parameters.
  const options: ScryptOptions = { ...params, maxmem: 256 * params.N * params.r };
  return new Promise((resolve, reject) => {
    scrypt(password.normalize('NFC'), salt, keyLength, options, (error, key) => (error ? reject(error) : resolve(key)));
  });
}

export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(SALT_LENGTH);
  const hash = await derive(password, salt, KEY_LENGTH, SCRYPT_PARAMS);
  const { N, r, p } = SCRYPT_PARAMS;
  return ['scrypt', N, r, p, salt.toString('base64'), hash.toString('base64')].join('$');
}

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;
const positiveInt = (text: string | undefined, max: number) => {
  if (!text || !/^[1-9][0-9]*$/.test(text)) return null;
  const value = Number(text);
  return value <= max ? value : null;
};

/** Reads a stored hash; anything not in the expected format is null (and never verifies). */
export function parsePasswordHash(stored: string): ParsedHash | null {
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return null;
  const N = positiveInt(parts[1], MAX_N);
  const r = positiveInt(parts[2], MAX_R);
  const p = positiveInt(parts[3], MAX_P);
  if (N === null || r === null || p === null || N < 2 || (N & (N - 1)) !== 0) return null;
  if (!BASE64.test(parts[4]!) || !BASE64.test(parts[5]!)) return null;
  const salt = Buffer.from(parts[4]!, 'base64');
  const hash = Buffer.from(parts[5]!, 'base64');
  if (salt.length < SALT_LENGTH || hash.length < 32) return null;
  return { params: { N, r, p }, salt, hash };
}

// Stands in for a missing or unusable hash, so every failed log-in costs one full derivation.
const DECOY: ParsedHash = { params: SCRYPT_PARAMS, salt: randomBytes(SALT_LENGTH), hash: randomBytes(KEY_LENGTH) };

/**
 * True only when `password` matches `stored`. An unknown account (`null`) or a hash in another
 * format still spends one scrypt derivation, so response time does not reveal which e-mail
 * addresses have usable accounts.
 */
export async function verifyPassword(password: string, stored: string | null): Promise<boolean> {
  const parsed = stored === null ? null : parsePasswordHash(stored);
  const target = parsed ?? DECOY;
  const derived = await derive(password, target.salt, target.hash.length, target.params);
  return parsed !== null && timingSafeEqual(derived, target.hash);
}
