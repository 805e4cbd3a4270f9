import express, { type NextFunction, type Request, type RequestHandler, type Response, type Router } from 'express';
import { z } from 'zod';
import { RegistryError } from '../errors.ts';
import type { SchemaRegistry } from '../registry.ts';
import { operationListsDocument, operationListsEtag } from './operation-lists.ts';
import { requirePermission } from './auth.ts';
import type { RegistryMetrics } from './metrics.ts';
import { mayDo, type PartnerKeyAdministration, type TokenAdministration, type TokenRole } from '../tokens.ts';

const subgraphName = z.string().regex(/^[a-z][a-z0-9_-]{0,62}$/, 'subgraph names are lower-case identifiers');
const clientName = z.string().regex(/^[a-z0-9][a-z0-9_.-]{0,62}$/, 'client names are lower-case identifiers');
const author = z.string().trim().min(1).max(200);
// Gateways fetch from routing URLs: http(s) only, and short enough to quote in a refusal.
const routingUrl = z
  .string()
  .max(2048)
  .url()
  .refine((url) => /^https?:$/.test(new URL(url).protocol), 'routing URLs are http:// or https://');
const submission = z.object({ name: subgraphName, sdl: z.string().min(1).max(2_000_000), url: routingUrl.optional() });
// deployFollows: publish without asking the subgraphs for the schema they serve (ADR 0013).
/** Each subgraph once: with two versions of one, which is meant is anyone's guess. */
const submissions = z
  .array(submission)
  .min(1)
  .max(100)
  .refine((list) => new Set(list.map((s) => s.name)).size === list.length, { message: 'each subgraph may be given once' });
const publishBody = z.object({ subgraphs: submissions, author, force: z.boolean().optional(), deployFollows: z.boolean().optional() });
const checkBody = z.object({ subgraphs: submissions });
/** Versions and ids are PostgreSQL integers: a larger number names nothing, and is refused as such, not by the database. */
const STORED_INTEGER_MAX = 2_147_483_647;
const rollbackBody = z.object({ version: z.number().int().min(1).max(STORED_INTEGER_MAX), author, force: z.boolean().optional() });
const operationsBody = z.object({
  author,
  // Drop operations the current list holds (OPERATIONS_REMOVED otherwise).
  force: z.boolean().optional(),
  // Apollo's persisted query manifest entries (what `generate-persisted-query-manifest` writes).
  operations: z
    .array(z.object({ id: z.string().regex(/^[0-9a-f]{64}$/), name: z.string().min(1), type: z.enum(['query', 'mutation', 'subscription']), body: z.string().min(1) }))
    .max(10_000),
});
const versionParam = z.coerce.number().int().min(1).max(STORED_INTEGER_MAX);
const tokenBody = z.object({ name: z.string().regex(/^[a-z0-9][a-z0-9_.:-]{0,62}$/), role: z.enum(['ADMIN', 'PUBLISHER', 'GATEWAY']) });
const partnerKeyBody = z.object({ client: clientName });
const partnerKeyId = z.coerce.number().int().min(1).max(STORED_INTEGER_MAX);

/** Whether the request's token (checked by requirePermission) may change routing URLs. */
const mayChangeRoutingUrls = (res: Response) => mayDo(res.locals.tokenRole as TokenRole, 'change-routing-urls');

/** The registry's HTTP API, under /v1. Every refusal is `{ error: { code, message, ...details } }`. */
export function registryRoutes(registry: SchemaRegistry, metrics: RegistryMetrics, tokens: TokenAdministration, partnerKeys: PartnerKeyAdministration): Router {
  const store = registry.store;
  const router = express.Router();
  const read = requirePermission(store, 'read-supergraph');
  const publish = requirePermission(store, 'publish');
  const admin = requirePermission(store, 'manage-tokens');
  const partnerAdmin = requirePermission(store, 'manage-partner-keys');

  // Gateways poll these: answered with a strong ETag and 304 when nothing changed.
  router.get('/supergraph', read, handle(async (req, res) => {
    const head = await store.currentSupergraphHead();
    if (!head) throw new RegistryError('NO_SUPERGRAPH', 404, 'Nothing has been published yet');
    res.set('x-supergraph-version', String(head.version));
    if (notModified(req, res, head.sdlHash)) return;
    const row = await store.supergraphVersion(head.version);
    res.type('text/plain; charset=utf-8').send(row!.sdl);
  }));
  router.get('/operations', read, handle(async (req, res) => {
    // The ETag comes from list versions and active key ids alone; lists and keys are read only when they changed.
    const [versions, keyIds] = await Promise.all([store.currentOperationListVersions(), store.activePartnerKeyIds()]);
    if (notModified(req, res, operationListsEtag(versions, keyIds))) return;
    const [lists, keys] = await Promise.all([store.currentOperationLists(), store.activePartnerKeys()]);
    res.set('etag', `"${operationListsEtag(lists, keys.map((k) => k.id))}"`).json(operationListsDocument(lists, keys));
  }));

  router.get('/supergraph/versions', publish, handle(async (req, res) => {
    const limit = z.coerce.number().int().min(1).max(1000).default(50).parse(req.query.limit);
    res.json({ versions: await store.supergraphHistory(limit) });
  }));
  router.get('/supergraph/versions/:version', publish, handle(async (req, res) => {
    const row = await store.supergraphVersion(versionParam.parse(req.params.version));
    if (!row) throw new RegistryError('NOT_FOUND', 404, 'No such supergraph version');
    res.json({ version: row.version, sdl: row.sdl, apiSdl: row.apiSdl, author: row.author, createdAt: row.createdAt });
  }));
  router.get('/supergraph/diff', publish, handle(async (req, res) => {
    res.json(await registry.diffSupergraphs(versionParam.parse(req.query.from), versionParam.parse(req.query.to)));
  }));

  router.get('/subgraphs', publish, handle(async (_req, res) => {
    const current = await store.currentSupergraph();
    res.json({
      supergraphVersion: current?.version ?? null,
      subgraphs: (current?.members ?? []).map((m) => ({ name: m.name, version: m.version, routingUrl: m.routingUrl })),
    });
  }));
  router.get('/subgraphs/:name/versions', publish, handle(async (req, res) => {
    const name = subgraphName.parse(req.params.name);
    const [versions, current] = await Promise.all([store.subgraphVersions(name), store.currentSupergraph()]);
    if (versions.length === 0) throw new RegistryError('NOT_FOUND', 404, `No subgraph ${name}`);
    const inUse = current?.members.find((m) => m.name === name)?.subgraphVersionId;
    res.json({ versions: versions.map(({ id, ...v }) => ({ ...v, current: id === inUse })) });
  }));
  router.get('/subgraphs/:name/versions/:version', publish, handle(async (req, res) => {
    const row = await store.subgraphVersion(subgraphName.parse(req.params.name), versionParam.parse(req.params.version));
    if (!row) throw new RegistryError('NOT_FOUND', 404, 'No such subgraph version');
    res.json({ version: row.version, sdl: row.sdl, routingUrl: row.routingUrl, author: row.author, createdAt: row.createdAt });
  }));
  router.get('/subgraphs/:name/diff', publish, handle(async (req, res) => {
    const name = subgraphName.parse(req.params.name);
    res.json(await registry.diffSubgraph(name, versionParam.parse(req.query.from), versionParam.parse(req.query.to)));
  }));

  router.post('/checks', publish, handle(async (req, res) => {
    const body = checkBody.parse(req.body);
    const report = await registry.check(body.subgraphs);
    metrics.checks.inc({ result: report.ok ? 'ok' : report.compositionErrors.length > 0 ? 'composition_failed' : 'breaking' });
    res.json(report);
  }));
  router.post('/publish', publish, handle(async (req, res) => {
    const body = publishBody.parse(req.body);
    const outcome = await countOutcome(metrics, registry.publish(body.subgraphs, { author: body.author, force: body.force, deployFollows: body.deployFollows, mayChangeRoutingUrls: mayChangeRoutingUrls(res) }));
    res.status(outcome.status === 'published' ? 201 : 200).json(outcome);
  }));
  router.post('/subgraphs/:name/rollback', publish, handle(async (req, res) => {
    const body = rollbackBody.parse(req.body);
    const outcome = await countOutcome(
      metrics,
      registry.rollback(subgraphName.parse(req.params.name), body.version, { author: body.author, force: body.force, mayChangeRoutingUrls: mayChangeRoutingUrls(res) }),
    );
    res.status(outcome.status === 'published' ? 201 : 200).json(outcome);
  }));

  router.put('/operations/:client', publish, handle(async (req, res) => {
    const body = operationsBody.parse(req.body);
    const outcome = await registry.registerOperations(clientName.parse(req.params.client), body.operations, body.author, { force: body.force ?? false });
    res.status(outcome.status === 'registered' ? 201 : 200).json(outcome);
  }));
  router.get('/operations/:client/versions', publish, handle(async (req, res) => {
    const versions = await store.operationListVersions(clientName.parse(req.params.client));
    if (versions.length === 0) throw new RegistryError('NOT_FOUND', 404, 'No such client');
    res.json({ versions: versions.map(({ operations, ...v }) => ({ ...v, operations: (operations as unknown[]).length })) });
  }));

  router.get('/tokens', admin, handle(async (_req, res) => {
    res.json({ tokens: await tokens.list() });
  }));
  router.post('/tokens', admin, handle(async (req, res) => {
    const body = tokenBody.parse(req.body);
    res.status(201).json({ name: body.name, role: body.role, token: await tokens.create(body.name, body.role) });
  }));
  router.delete('/tokens/:name', admin, handle(async (req, res) => {
    if (!(await tokens.revoke(String(req.params.name)))) throw new RegistryError('NOT_FOUND', 404, 'No such active token');
    res.status(204).end();
  }));

  router.get('/partner-keys', partnerAdmin, handle(async (req, res) => {
    const client = req.query.client === undefined ? undefined : clientName.parse(req.query.client);
    res.json({ keys: await partnerKeys.list(client) });
  }));
  router.post('/partner-keys', partnerAdmin, handle(async (req, res) => {
    const body = partnerKeyBody.parse(req.body);
    res.status(201).json(await partnerKeys.create(body.client));
  }));
  router.delete('/partner-keys/:id', partnerAdmin, handle(async (req, res) => {
    if (!(await partnerKeys.revoke(partnerKeyId.parse(req.params.id)))) throw new RegistryError('NOT_FOUND', 404, 'No such active partner key');
    res.status(204).end();
  }));
  return router;
}

async function countOutcome<T extends { status: string }>(metrics: RegistryMetrics, outcome: Promise<T>): Promise<T> {
  try {
    const result = await outcome;
    metrics.publishes.inc({ result: result.status });
    return result;
  } catch (error) {
    metrics.publishes.inc({ result: error instanceof RegistryError ? error.code.toLowerCase() : 'error' });
    throw error;
  }
}

function notModified(req: Request, res: Response, hash: string): boolean {
  const etag = `"${hash}"`;
  res.set('etag', etag).set('cache-control', 'no-cache');
  if (req.header('if-none-match') !== etag) return false;
  res.status(304).end();
  return true;
}

const handle =
  (fn: (req: Request, res: Response) => Promise<void>): RequestHandler =>
  (req, res, next) =>
    fn(req, res).catch(next);

/** Turns refusals and invalid input into stable JSON errors; anything else is a masked 500. */
export function registryErrorHandler(log: { error(obj: unknown, msg: string): void }) {
  return (error: unknown, _req: Request, res: Response, next: NextFunction) => {
    if (res.headersSent) return next(error);
    if (error instanceof RegistryError) {
      res.status(error.status).json({ error: { code: error.code, message: error.message, ...error.details } });
      return;
    }
    if (error instanceof z.ZodError) {
      res.status(400).json({ error: { code: 'BAD_REQUEST', message: 'Invalid request', issues: error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })) } });
      return;
    }
    const status = (error as { status?: number }).status;
    if (status && status >= 400 && status < 500) {
      res.status(status).json({ error: { code: 'BAD_REQUEST', message: (error as { type?: string }).type === 'entity.too.large' ? 'Request body too large' : 'Request body is not valid JSON' } });
      return;
    }
    log.error({ err: error }, 'unexpected registry error');
    res.status(500).json({ error: { code: 'INTERNAL_SERVER_ERROR', message: 'Internal server error' } });
  };
}
