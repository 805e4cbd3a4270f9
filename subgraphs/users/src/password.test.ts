import { scryptSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { hashPassword, parsePasswordHash, SCRYPT_PARAMS, verifyPassword } from './password.ts';
import { UNUSABLE_PASSWORD_HASH } from './seed.ts';

describe('hashPassword', () => {
  it('writes the self-describing scrypt$N$r$p$salt$hash format with a 16-byte salt and a 64-byte key', async () => {
    const stored = await hashPassword('correct horse battery');
    const [scheme, N, r, p, salt, hash] = stored.split('$');
    expect([scheme, Number(N), Number(r), Number(p)]).toEqual(['scrypt', SCRYPT_PARAMS.N, SCRYPT_PARAMS.r, SCRYPT_PARAMS.p]);
    expect(Buffer.from(salt!, 'base64')).toHaveLength(16);
    expect(Buffer.from(hash!, 'base64')).toHaveLength(64);
  });

  it('salts every hash, so one password never hashes the same twice', async () => {
    const [a, b] = await Promise.all([hashPassword('same password'), hashPassword('same password')]);
    expect(a).not.toBe(b);
    expect(await verifyPassword('same password', a)).toBe(true);
    expect(await verifyPassword('same password', b)).toBe(true);
  });
});

describe('verifyPassword', () => {
  it('accepts the right password and rejects any other', async () => {
    const stored = await hashPassword('correct horse battery');
    expect(await verifyPassword('correct horse battery', stored)).toBe(true);
    expect(await verifyPassword('correct horse batterY', stored)).toBe(false);
    expect(await verifyPassword('correct horse battery ', stored)).toBe(false);
    expect(await verifyPassword('', stored)).toBe(false);
  });

  it('rejects a hash whose key was tampered with', async () => {
    const stored = await hashPassword('correct horse battery');
    const parts = stored.split('$');
    const key = Buffer.from(parts[5]!, 'base64');
    key[0] = key[0]! ^ 1;
    parts[5] = key.toString('base64');
    expect(await verifyPassword('correct horse battery', parts.join('$'))).toBe(false);
  });

  it('honours the parameters stored in the hash, so the cost can be raised later', async () => {
    const stored = await hashPassword('correct horse battery');
    const parsed = parsePasswordHash(stored)!;
    // A hash made by hand with a lower N: verification must use the stored N, not the current default.
    const key = scryptSync('correct horse battery', parsed.salt, 64, { N: 1024, r: 8, p: 1 });
    const older = ['scrypt', 1024, 8, 1, parsed.salt.toString('base64'), key.toString('base64')].join('$');
    expect(await verifyPassword('correct horse battery', older)).toBe(true);
    expect(await verifyPassword('wrong horse battery', older)).toBe(false);
  });

  it('never verifies a missing account or a hash in another format', async () => {
    expect(await verifyPassword('anything at all', null)).toBe(false);
    expect(await verifyPassword(UNUSABLE_PASSWORD_HASH, UNUSABLE_PASSWORD_HASH)).toBe(false);
    expect(await verifyPassword('plain', 'plain')).toBe(false);
    expect(await verifyPassword('x', '')).toBe(false);
  });
});

describe('parsePasswordHash', () => {
  const salt = Buffer.alloc(16, 7).toString('base64');
  const key = Buffer.alloc(64, 9).toString('base64');

  it('reads a well-formed hash', () => {
    expect(parsePasswordHash(`scrypt$16384$8$1$${salt}$${key}`)).toMatchObject({ params: { N: 16384, r: 8, p: 1 } });
  });

  it.each([
    ['another scheme', `bcrypt$16384$8$1$${salt}$${key}`],
    ['a missing part', `scrypt$16384$8$${salt}$${key}`],
    ['N not a power of two', `scrypt$16000$8$1$${salt}$${key}`],
    ['N too large to be safe', `scrypt$${2 ** 24}$8$1$${salt}$${key}`],
    ['a zero r', `scrypt$16384$0$1$${salt}$${key}`],
    ['a non-numeric p', `scrypt$16384$8$x$${salt}$${key}`],
    ['a short salt', `scrypt$16384$8$1$${Buffer.alloc(4).toString('base64')}$${key}`],
    ['a short key', `scrypt$16384$8$1$${salt}$${Buffer.alloc(8).toString('base64')}`],
    ['a salt that is not base64', `scrypt$16384$8$1$not*base64$${key}`],
  ])('refuses %s', (_, stored) => {
    expect(parsePasswordHash(stored)).toBeNull();
  });
});
