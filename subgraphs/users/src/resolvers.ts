import { randomUUID } from 'node:crypto';
import {
  badUserInput,
  forbidden,
  isSelfOrAdmin,
  signUserToken,
  unauthenticated,
  type GraphQLResolverMap,
} from '@supergraph/service-kit';
import type { User } from './generated/prisma/client.ts';
import type { UsersContext } from './context.ts';
import { parseLogInInput, parseSignUpInput } from './input.ts';
import { hashPassword, verifyPassword } from './password.ts';

/** Issues the token and lets the just-authenticated user see their own e-mail in the payload. */
async function authPayload(user: User, ctx: UsersContext) {
  ctx.authenticatedUserIds.add(user.id);
  ctx.loaders.user.prime(user.id, user);
  return { token: await signUserToken({ id: user.id, role: user.role }, ctx.jwtSecret), user };
}

export const resolvers: GraphQLResolverMap<UsersContext> = {
  Query: {
    me: (_: unknown, __: unknown, ctx: UsersContext) => (ctx.viewer ? ctx.loaders.user.load(ctx.viewer.id) : null),
  },
  Mutation: {
    async signUp(_: unknown, args: { input: unknown }, ctx: UsersContext) {
      const input = parseSignUpInput(args.input);
      const user = await ctx.store.createUser({
        id: randomUUID(),
        email: input.email,
        name: input.name,
        passwordHash: await hashPassword(input.password),
      });
      if (!user) throw badUserInput('An account with this e-mail already exists', { field: 'email' });
      return authPayload(user, ctx);
    },
    async logIn(_: unknown, args: { input: unknown }, ctx: UsersContext) {
      const input = parseLogInInput(args.input);
      const user = await ctx.store.userByEmail(input.email);
      // Verified even without a user (against a decoy), so timing does not tell which e-mails exist.
      const matches = await verifyPassword(input.password, user?.passwordHash ?? null);
      if (!user || !matches) throw unauthenticated('Invalid e-mail or password');
      return authPayload(user, ctx);
    },
  },
  User: {
    __resolveReference: (reference: { id: string }, ctx: UsersContext) => ctx.loaders.user.load(reference.id),
    email(user: User, _: unknown, ctx: UsersContext) {
      if (isSelfOrAdmin(ctx.viewer, user.id) || ctx.authenticatedUserIds.has(user.id)) return user.email;
      throw forbidden('E-mail addresses are visible only to their owner');
    },
    createdAt: (user: User) => user.createdAt.toISOString(),
  },
};
