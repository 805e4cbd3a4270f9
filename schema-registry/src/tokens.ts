import { randomBytes } from 'node:crypto';
import type { TokenRole } from './generated/prisma/client.ts';
import type { Logger } from '@supergraph/service-kit';
import { RegistryError } from './errors.ts';
import { sha256, type RegistryStore } from './store.ts';

export type { TokenRole };

/** What each role may do. Admins may do everything. */
export type Permission = 'read-supergraph' | 'publish' | 'manage-tokens';
const GRANTS: Record<TokenRole, Permission[]> = {
  ADMIN: ['read-supergraph', 'publish', 'manage-tokens'],
  PUBLISHER: ['read-supergraph', 'publish'],
  GATEWAY: ['read-supergraph'],
};
export const mayDo = (role: TokenRole, permission: Permission) => GRANTS[role].includes(permission);

export const digestToken = (token: string) => sha256(token);

/** A new random token; only its digest is stored, so it is shown once. */
export function newToken(): string {
  return `sgr_${randomBytes(32).toString('base64url')}`;
}

/** The tokens given in the environment (deployment bootstrap); stored as digests under fixed names. */
export interface BootstrapTokens {
  admin?: string | undefined;
  publisher?: string | undefined;
  gateway?: string | undefined;
}

export async function storeBootstrapTokens(store: RegistryStore, tokens: BootstrapTokens): Promise<void> {
  const entries: Array<[string, TokenRole, string | undefined]> = [
    ['env:admin', 'ADMIN', tokens.admin],
    ['env:publisher', 'PUBLISHER', tokens.publisher],
    ['env:gateway', 'GATEWAY', tokens.gateway],
  ];
  for (const [name, role, token] of entries) {
    if (token) await store.putToken(name, role, digestToken(token));
    else await store.revokeToken(name); // unset now: an earlier deployment's token must stop working
  }
}

/** What admins do with tokens over the API: mint (the token is returned once), revoke, list. */
export interface TokenAdministration {
  create(name: string, role: TokenRole): Promise<string>;
  revoke(name: string): Promise<boolean>;
  list(): Promise<Array<{ name: string; role: TokenRole; createdAt: Date; revokedAt: Date | null }>>;
}

export function tokenAdministration(store: RegistryStore, log: Logger): TokenAdministration {
  return {
    async create(name, role) {
      const token = newToken();
      if (!(await store.createToken(name, role, digestToken(token)))) throw new RegistryError('CONFLICT', 409, `A token named ${name} exists`);
      log.info({ name, role }, 'registry token created');
      return token;
    },
    revoke: (name) => store.revokeToken(name),
    list: () => store.listTokens(),
  };
}
