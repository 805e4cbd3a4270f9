import { Prisma, type PrismaClient, type User } from './generated/prisma/client.ts';

export type NewUser = Pick<User, 'id' | 'email' | 'name' | 'passwordHash'>;

/** All SQL of the users subgraph. Batch readers take many ids and cost one statement. */
export class UserStore {
  constructor(private readonly db: PrismaClient) {}

  usersByIds(ids: readonly string[]): Promise<User[]> {
    return this.db.user.findMany({ where: { id: { in: [...ids] } } });
  }

  /** `email` must already be normalised (trimmed, lower-cased), as stored. */
  userByEmail(email: string): Promise<User | null> {
    return this.db.user.findUnique({ where: { email } });
  }

  /** Fresh planner statistics after a bulk load, so id look-ups use the index from the start. */
  async refreshStatistics(): Promise<void> {
    await this.db.$executeRaw`ANALYZE "users"`;
  }

  /**
   * Inserts an account; null when the e-mail is taken. The unique index decides, not an
   * earlier read, so two concurrent sign-ups with one address cannot both succeed.
   */
  async createUser(user: NewUser): Promise<User | null> {
    try {
      return await this.db.user.create({ data: user });
    } catch (error) {
      if (isUniqueViolation(error)) return null;
      throw error;
    }
  }
}

const isUniqueViolation = (error: unknown) => error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002';
