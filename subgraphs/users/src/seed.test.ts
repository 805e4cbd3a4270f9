import { describe, expect, it } from 'vitest';
import { DEMO_ACCOUNTS, demoIds, seedPlan } from '@supergraph/service-kit';
import { buildSeedUsers, UNUSABLE_PASSWORD_HASH } from './seed.ts';

const demoHashes = new Map([
  [DEMO_ACCOUNTS.admin.index, 'scrypt$admin-hash'],
  [DEMO_ACCOUNTS.shopper.index, 'scrypt$shopper-hash'],
]);

describe('buildSeedUsers', () => {
  const users = buildSeedUsers(seedPlan().users, demoHashes);

  it('is deterministic: the same plan gives the same users on every run', () => {
    expect(buildSeedUsers(seedPlan().users, demoHashes)).toEqual(users);
  });

  it('gives user i the shared demo id, so other subgraphs seed against the same users', () => {
    expect(users).toHaveLength(seedPlan().users);
    users.forEach((user, i) => expect(user.id).toBe(demoIds.user(i)));
  });

  it('puts the demo accounts first, with their roles and the given password hashes', () => {
    expect(users[0]).toMatchObject({ email: 'admin@example.com', name: 'Ada Admin', role: 'ADMIN', passwordHash: 'scrypt$admin-hash' });
    expect(users[1]).toMatchObject({ email: 'shopper@example.com', name: 'Sam Shopper', role: 'USER', passwordHash: 'scrypt$shopper-hash' });
  });

  it('gives every other user a unique address, the USER role and a hash that cannot log in', () => {
    const others = users.slice(2);
    expect(new Set(users.map((u) => u.email)).size).toBe(users.length);
    expect(others.every((u) => u.role === 'USER' && u.passwordHash === UNUSABLE_PASSWORD_HASH)).toBe(true);
    expect(others[0]!.email).toBe('user2@example.com');
    expect(new Set(others.map((u) => u.name)).size).toBeGreaterThan(50);
  });

  it('spaces creation times an hour apart from 2025-01-01', () => {
    expect(users[0]!.createdAt.toISOString()).toBe('2025-01-01T00:00:00.000Z');
    expect(users[25]!.createdAt.toISOString()).toBe('2025-01-02T01:00:00.000Z');
  });

  it('refuses to seed a demo account without its password hash', () => {
    expect(() => buildSeedUsers(5, new Map())).toThrow(/admin@example.com/);
  });
});
