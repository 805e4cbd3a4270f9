import { randomBytes } from 'node:crypto';
import type { TokenRole } from './generated/prisma/client.ts';
import type { Logger } from '@supergraph/service-kit';
import { RegistryError } from './errors.ts';
import { sha256, type PartnerKey, type RegistryStore } from './store.ts';

export type { TokenRole };

/**
 * What each role may do. Admins may do everything; changing a routing URL (where gateways send
 * identity tokens) and managing partner API keys are admins' alone.
 */
export type Permission = 'read-supergraph' | 'publish' | 'change-routing-urls' | 'manage-tokens' | 'manage-partner-keys';
const GRANTS: Record<TokenRole, Permission[]> = {
  ADMIN: ['read-supergraph', 'publish', 'change-routing-urls', 'manage-tokens', 'manage-partner-keys'],
  PUBLISHER: ['read-supergraph', 'publish'],
  GATEWAY: ['read-supergraph'],
};
export const mayDo = (role: TokenRole, permission: Permission) => GRANTS[role].includes(permission);

export const digestToken = (token: string) => sha256(token);

/** A new random token; only its digest is stored, so it is shown once. */
export function newToken(): string {
  return `sgr_${randomBytes(32).toString('base64url')}`;
}

/** A new partner API key (256 random bits); the registry and the gateways keep only its sha256. */
export function newPartnerKey(): string {
  return `sgpk_${randomBytes(32).toString('base64url')}`;
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

/** What admins do with partner API keys: create (the key is returned once), list (no secrets), revoke. */
export interface PartnerKeyAdministration {
  create(client: string): Promise<PartnerKey & { key: string }>;
  revoke(id: number): Promise<boolean>;
  list(client?: string): Promise<PartnerKey[]>;
}

export function partnerKeyAdministration(store: RegistryStore, log: Logger): PartnerKeyAdministration {
  return {
    async create(client) {
      const key = newPartnerKey();
      const created = await store.addPartnerKey(client, digestToken(key));
      log.info({ id: created.id, client }, 'partner API key created');
      return { ...created, key };
    },
    async revoke(id) {
      const revoked = await store.revokePartnerKey(id);
      if (revoked) log.info({ id }, 'partner API key revoked');
      return revoked;
    },
    list: (client) => store.listPartnerKeys(client),
  };
}
