import { createHash } from 'node:crypto';
import type { Prisma, PrismaClient, SupergraphAction, TokenRole } from './generated/prisma/client.ts';
import { routingUrlChanges } from './routing-urls.ts';

export type Tx = Prisma.TransactionClient;

export const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/** One subgraph as a supergraph was composed from it. */
export interface Member {
  subgraphVersionId: number;
  name: string;
  version: number;
  sdl: string;
  sdlHash: string;
  routingUrl: string;
}

export interface CurrentSupergraph {
  version: number;
  sdl: string;
  sdlHash: string;
  apiSdl: string;
  createdAt: Date;
  members: Member[];
}

export interface StoredOperation {
  id: string;
  name: string;
  type: 'query' | 'mutation' | 'subscription';
  body: string;
}

export interface OperationList {
  client: string;
  version: number;
  operations: StoredOperation[];
  author: string;
  createdAt: Date;
}

/** A stored subgraph version as a supergraph member. */
export const toMember = (row: { id: number; subgraph: string; version: number; sdl: string; sdlHash: string; routingUrl: string }): Member => ({
  subgraphVersionId: row.id,
  name: row.subgraph,
  version: row.version,
  sdl: row.sdl,
  sdlHash: row.sdlHash,
  routingUrl: row.routingUrl,
});

/** A partner API key as admins see it: never the key, nor its digest. */
export interface PartnerKey {
  id: number;
  client: string;
  createdAt: Date;
  revokedAt: Date | null;
}
const PARTNER_KEY_FIELDS = { id: true, client: true, createdAt: true, revokedAt: true } as const;

// Serializes every change to the registry (publish, rollback, list registration) across replicas.
const WRITE_LOCK_KEY = 510_510;

/** All SQL of the schema registry. */
export class RegistryStore {
  constructor(readonly db: PrismaClient) {}

  /** Runs `work` holding the registry's write lock, in one transaction. */
  write<T>(work: (tx: Tx) => Promise<T>): Promise<T> {
    return this.db.$transaction(
      async (tx) => {
        await tx.$queryRawUnsafe(`SELECT 1 AS locked FROM pg_advisory_xact_lock(${WRITE_LOCK_KEY})`);
        return work(tx);
      },
      { maxWait: 10_000, timeout: 60_000 },
    );
  }

  async currentSupergraph(tx: Tx | PrismaClient = this.db): Promise<CurrentSupergraph | null> {
    const row = await tx.supergraphVersion.findFirst({
      orderBy: { version: 'desc' },
      include: { members: { include: { subgraphVersion: true } } },
    });
    if (!row) return null;
    return {
      version: row.version,
      sdl: row.sdl,
      sdlHash: row.sdlHash,
      apiSdl: row.apiSdl,
      createdAt: row.createdAt,
      members: row.members
        .map((m) => toMember(m.subgraphVersion))
        .sort((a, b) => a.name.localeCompare(b.name)),
    };
  }

  /** The newest supergraph's version and ETag only: what a gateway's poll needs. */
  currentSupergraphHead(): Promise<{ version: number; sdlHash: string } | null> {
    return this.db.supergraphVersion.findFirst({ orderBy: { version: 'desc' }, select: { version: true, sdlHash: true } });
  }

  supergraphVersion(version: number) {
    return this.db.supergraphVersion.findUnique({ where: { version } });
  }

  /** The newest supergraph versions, each with the routing URLs it changed from the one before. */
  async supergraphHistory(limit: number) {
    const rows = await this.db.supergraphVersion.findMany({
      orderBy: { version: 'desc' },
      take: limit + 1, // one more: what the oldest shown changed from
      select: {
        version: true,
        sdlHash: true,
        action: true,
        subgraph: true,
        author: true,
        createdAt: true,
        members: { select: { subgraphVersion: { select: { subgraph: true, version: true, routingUrl: true } } } },
      },
    });
    const urls = (row: (typeof rows)[number]) => new Map(row.members.map((m) => [m.subgraphVersion.subgraph, m.subgraphVersion.routingUrl]));
    return rows.slice(0, limit).map(({ members, ...row }, i) => ({
      ...row,
      subgraphs: Object.fromEntries(members.map((m) => [m.subgraphVersion.subgraph, m.subgraphVersion.version]).sort()),
      routingUrlChanges: rows[i + 1] ? routingUrlChanges(urls(rows[i + 1]!), urls(rows[i]!)) : [],
    }));
  }

  /** Subgraph -> routing URL of one supergraph version. */
  async routingUrls(version: number): Promise<Map<string, string>> {
    const members = await this.db.supergraphMember.findMany({ where: { supergraphVersion: version }, select: { subgraphVersion: { select: { subgraph: true, routingUrl: true } } } });
    return new Map(members.map((m) => [m.subgraphVersion.subgraph, m.subgraphVersion.routingUrl]));
  }

  subgraphVersions(name: string) {
    return this.db.subgraphVersion.findMany({
      where: { subgraph: name },
      orderBy: { version: 'desc' },
      select: { id: true, version: true, sdlHash: true, routingUrl: true, author: true, createdAt: true },
    });
  }

  subgraphVersion(name: string, version: number, tx: Tx | PrismaClient = this.db) {
    return tx.subgraphVersion.findUnique({ where: { subgraph_version: { subgraph: name, version } } });
  }

  async addSubgraphVersion(tx: Tx, input: { name: string; sdl: string; routingUrl: string; author: string }): Promise<Member> {
    const last = await tx.subgraphVersion.findFirst({ where: { subgraph: input.name }, orderBy: { version: 'desc' }, select: { version: true } });
    const row = await tx.subgraphVersion.create({
      data: { subgraph: input.name, version: (last?.version ?? 0) + 1, sdl: input.sdl, sdlHash: sha256(input.sdl), routingUrl: input.routingUrl, author: input.author },
    });
    return toMember(row);
  }

  async addSupergraphVersion(
    tx: Tx,
    input: { sdl: string; apiSdl: string; action: SupergraphAction; subgraph: string; author: string; memberIds: number[] },
  ): Promise<{ version: number; sdlHash: string }> {
    const row = await tx.supergraphVersion.create({
      data: {
        sdl: input.sdl,
        sdlHash: sha256(input.sdl),
        apiSdl: input.apiSdl,
        action: input.action,
        subgraph: input.subgraph,
        author: input.author,
        members: { create: input.memberIds.map((subgraphVersionId) => ({ subgraphVersionId })) },
      },
      select: { version: true, sdlHash: true },
    });
    return row;
  }

  /** The newest list of every client. */
  async currentOperationLists(tx: Tx | PrismaClient = this.db): Promise<OperationList[]> {
    const rows = await tx.operationListVersion.findMany({ distinct: ['client'], orderBy: [{ client: 'asc' }, { version: 'desc' }] });
    return rows.map((row) => ({ client: row.client, version: row.version, operations: row.operations as unknown as StoredOperation[], author: row.author, createdAt: row.createdAt }));
  }

  /** Which version of each client's list is current: enough for the ETag of a poll. */
  currentOperationListVersions(): Promise<Array<{ client: string; version: number }>> {
    return this.db.operationListVersion.findMany({ distinct: ['client'], orderBy: [{ client: 'asc' }, { version: 'desc' }], select: { client: true, version: true } });
  }

  operationListVersions(client: string) {
    return this.db.operationListVersion.findMany({ where: { client }, orderBy: { version: 'desc' }, select: { version: true, author: true, createdAt: true, operations: true } });
  }

  async addOperationList(tx: Tx, input: { client: string; operations: StoredOperation[]; author: string }): Promise<number> {
    const last = await tx.operationListVersion.findFirst({ where: { client: input.client }, orderBy: { version: 'desc' }, select: { version: true } });
    const version = (last?.version ?? 0) + 1;
    await tx.operationListVersion.create({ data: { client: input.client, version, operations: input.operations as unknown as Prisma.InputJsonValue, author: input.author } });
    return version;
  }

  // Tokens: digests only.
  async tokenRole(tokenHash: string): Promise<TokenRole | null> {
    const row = await this.db.accessToken.findUnique({ where: { tokenHash }, select: { role: true, revokedAt: true } });
    return row && !row.revokedAt ? row.role : null;
  }

  /** Creates the named token, or points an existing name at a new digest (rotation). */
  async putToken(name: string, role: TokenRole, tokenHash: string): Promise<void> {
    await this.db.accessToken.upsert({ where: { name }, create: { name, role, tokenHash }, update: { role, tokenHash, revokedAt: null } });
  }

  async createToken(name: string, role: TokenRole, tokenHash: string): Promise<boolean> {
    const existing = await this.db.accessToken.findUnique({ where: { name }, select: { id: true } });
    if (existing) return false;
    await this.db.accessToken.create({ data: { name, role, tokenHash } });
    return true;
  }

  async revokeToken(name: string): Promise<boolean> {
    const result = await this.db.accessToken.updateMany({ where: { name, revokedAt: null }, data: { revokedAt: new Date() } });
    return result.count > 0;
  }

  listTokens() {
    return this.db.accessToken.findMany({ orderBy: { name: 'asc' }, select: { name: true, role: true, createdAt: true, revokedAt: true } });
  }

  // Partner API keys: digests only, served to gateways beside the operation lists.
  addPartnerKey(client: string, keyHash: string): Promise<PartnerKey> {
    return this.db.partnerApiKey.create({ data: { client, keyHash }, select: PARTNER_KEY_FIELDS });
  }

  async revokePartnerKey(id: number): Promise<boolean> {
    const result = await this.db.partnerApiKey.updateMany({ where: { id, revokedAt: null }, data: { revokedAt: new Date() } });
    return result.count > 0;
  }

  listPartnerKeys(client?: string): Promise<PartnerKey[]> {
    return this.db.partnerApiKey.findMany({ where: client ? { client } : {}, orderBy: { id: 'asc' }, select: PARTNER_KEY_FIELDS });
  }

  /** What gateways need: each active key's client and digest. */
  activePartnerKeys(): Promise<Array<{ id: number; client: string; keyHash: string }>> {
    return this.db.partnerApiKey.findMany({ where: { revokedAt: null }, orderBy: { id: 'asc' }, select: { id: true, client: true, keyHash: true } });
  }

  /** The active keys' ids: enough for the ETag of a poll (a new key adds one, a revoked key drops one). */
  async activePartnerKeyIds(): Promise<number[]> {
    return (await this.db.partnerApiKey.findMany({ where: { revokedAt: null }, orderBy: { id: 'asc' }, select: { id: true } })).map((k) => k.id);
  }
}
