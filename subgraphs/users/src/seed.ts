import { DEMO_ACCOUNTS, demoIds, insertInChunks, pick, prng, type SeedPlan } from '@supergraph/service-kit';
import type { PrismaClient, Role } from './generated/prisma/client.ts';
import { hashPassword } from './password.ts';
import { UserStore } from './store.ts';

const FIRST_NAMES = [
  'Alex', 'Bea', 'Carlos', 'Dana', 'Elif', 'Farah', 'Gus', 'Hana', 'Ivan', 'Jade', 'Kofi', 'Lena',
  'Mateo', 'Nia', 'Omar', 'Priya', 'Quinn', 'Rosa', 'Sven', 'Tariq', 'Uma', 'Vera', 'Wen', 'Yusuf', 'Zoe',
];
const LAST_NAMES = [
  'Andersen', 'Bauer', 'Chen', 'Diallo', 'Eriksen', 'Fischer', 'García', 'Hoffmann', 'Ito', 'Jensen',
  'Kowalski', 'Lopez', 'Müller', 'Nakamura', 'Okafor', 'Patel', 'Rossi', 'Silva', 'Tanaka', 'Novak',
];

/** Not in the `scrypt$…` format, so it never verifies: seeded accounts other than the demo ones cannot log in. */
export const UNUSABLE_PASSWORD_HASH = '!seeded-account-cannot-log-in';
const FIRST_CREATED_AT = Date.UTC(2025, 0, 1);
const HOUR_MS = 3_600_000;

export interface SeedUserRow {
  id: string;
  email: string;
  name: string;
  passwordHash: string;
  role: Role;
  createdAt: Date;
}

/**
 * The demo users, deterministic apart from the demo accounts' salted hashes, which are passed in
 * (keyed by account index). User i always has id `demoIds.user(i)`, which other subgraphs' seeds rely on.
 */
export function buildSeedUsers(count: number, demoPasswordHashes: ReadonlyMap<number, string>): SeedUserRow[] {
  const random = prng(20261123);
  const demoAccounts = new Map<number, (typeof DEMO_ACCOUNTS)[keyof typeof DEMO_ACCOUNTS]>(
    Object.values(DEMO_ACCOUNTS).map((account) => [account.index, account]),
  );
  return Array.from({ length: count }, (_, i) => {
    // Drawn for every index, so a user's name does not depend on which indexes are demo accounts.
    const name = `${pick(random, FIRST_NAMES)} ${pick(random, LAST_NAMES)}`;
    const createdAt = new Date(FIRST_CREATED_AT + i * HOUR_MS);
    const demo = demoAccounts.get(i);
    if (demo) {
      const passwordHash = demoPasswordHashes.get(i);
      if (!passwordHash) throw new Error(`No password hash for demo account ${demo.email}`);
      return { id: demoIds.user(i), email: demo.email, name: demo.name, passwordHash, role: demo.role, createdAt };
    }
    return { id: demoIds.user(i), email: `user${i}@example.com`, name, passwordHash: UNUSABLE_PASSWORD_HASH, role: 'USER', createdAt };
  });
}

/** The users of the demo data set; nothing happens when users exist already. */
export async function seedUsers(db: PrismaClient, plan: SeedPlan): Promise<Record<string, number> | null> {
  if ((await db.user.count({ take: 1 })) > 0) return null;
  const demoPasswordHashes = new Map(
    await Promise.all(Object.values(DEMO_ACCOUNTS).map(async (account) => [account.index, await hashPassword(account.password)] as const)),
  );
  const users = buildSeedUsers(plan.users, demoPasswordHashes);
  // 6 columns a row: 5,000 rows stay far below PostgreSQL's 65,535 bind parameters.
  await insertInChunks(users, 5_000, (chunk) => db.user.createMany({ data: chunk }));
  await new UserStore(db).refreshStatistics();
  return { users: users.length };
}
