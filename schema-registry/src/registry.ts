import { graphql } from './checks/graphql.ts';
import { brokenOperations, validateOperation, type BrokenOperation } from './checks/operation-checks.ts';
import type { RegisteredOperation } from './checks/operation-usage.ts';
import { classifyChanges, schemaOf, type SchemaChange } from './checks/schema-changes.ts';
import { fetchServedSdl, missingFromServed, SERVICE_SDL_QUERY } from './checks/served-schema.ts';
import { RegistryError } from './errors.ts';
import { RoutingUrlPolicy, routingUrlChanges, type RoutingUrlChange } from './routing-urls.ts';
import { sha256, toMember, type CurrentSupergraph, type Member, type OperationList, type RegistryStore, type StoredOperation, type Tx } from './store.ts';

/** A subgraph schema offered for a check or a publish. `url` may be left out for a known subgraph. */
export interface SubgraphSubmission {
  name: string;
  sdl: string;
  url?: string | undefined;
}

export interface CheckReport {
  /** Composes, and no registered operation breaks: safe to ship. */
  ok: boolean;
  subgraphs: string[];
  compositionErrors: string[];
  changes: SchemaChange[];
  /** Subgraphs whose routing URL (where gateways send their fetches) changes: an admin's change. */
  routingUrlChanges: RoutingUrlChange[];
  brokenOperations: BrokenOperation[];
  summary: { breaking: number; dangerous: number; safe: number; operationsChecked: number };
}

/**
 * Whether the published subgraphs were found serving what was published (ADR 0013): `verified`
 * at their routing URLs, or `skipped` because the publisher said the deploy follows.
 */
export interface ServedSchemaCheck {
  status: 'verified' | 'skipped';
  subgraphs: string[];
}

/** A subgraph that does not serve what was submitted for it, or could not be asked. */
export interface ServedSchemaProblem {
  subgraph: string;
  routingUrl: string;
  /** Could not fetch its served schema (unreachable, timed out, not a Federation subgraph). */
  unreachable?: string;
  /** What the submitted schema has that the served one lacks or serves differently. */
  missing?: Array<{ path: string | null; message: string }>;
}

export type PublishOutcome =
  | { status: 'published'; supergraphVersion: number; subgraphVersions: Record<string, number>; report: CheckReport; servedSchemaCheck?: ServedSchemaCheck }
  | { status: 'unchanged'; supergraphVersion: number };

interface Proposal {
  /** The subgraphs the new supergraph would be composed from, by name. */
  members: Map<string, { sdl: string; routingUrl: string; existing?: Member }>;
  changed: string[];
  routingUrlChanges: RoutingUrlChange[];
}

/** Who asks: only a token that may change routing URLs (an admin's) may move a subgraph. */
export interface WriteOptions {
  author: string;
  force?: boolean | undefined;
  mayChangeRoutingUrls?: boolean | undefined;
  /** Publish without checking the schema the subgraph serves: its deploy follows, on purpose. */
  deployFollows?: boolean | undefined;
}

/** How the registry asks a subgraph for the schema it serves. */
export interface ServedSchemaOptions {
  /** REGISTRY_SERVED_SCHEMA_TIMEOUT_MS: how long one subgraph may take to answer. */
  timeoutMs: number;
}

interface Evaluation {
  report: CheckReport;
  composed?: { supergraphSdl: string; apiSchemaSdl: string };
}

/**
 * The registry's rules: what composes, what breaks whom, what becomes current. Every write runs
 * under one lock (RegistryStore.write), so two publishes never compose against a stale current.
 */
export class SchemaRegistry {
  constructor(
    readonly store: RegistryStore,
    readonly routing: RoutingUrlPolicy = new RoutingUrlPolicy(),
    readonly served: ServedSchemaOptions = { timeoutMs: 5_000 },
  ) {}

  /** A dry run of publish: what would happen, changing nothing. */
  async check(submissions: SubgraphSubmission[]): Promise<CheckReport> {
    const current = await this.store.currentSupergraph();
    const proposal = this.propose(current, submissions);
    return (await this.evaluate(current, proposal, await this.store.currentOperationLists())).report;
  }

  async publish(submissions: SubgraphSubmission[], options: WriteOptions): Promise<PublishOutcome> {
    // Ask the subgraphs for what they serve before taking the write lock (no network calls while
    // holding it), and only at URLs this caller may publish (allow-list and admin checks first).
    const deployFollows = options.deployFollows === true;
    const servedAhead = deployFollows ? new Map<string, Promise<ServedSchemaProblem | null>>() : this.askServed(this.propose(await this.store.currentSupergraph(), submissions), options);
    return this.store.write(async (tx) => {
      const current = await this.store.currentSupergraph(tx);
      const proposal = this.propose(current, submissions);
      if (current && proposal.changed.length === 0) return { status: 'unchanged', supergraphVersion: current.version };
      this.routing.assertMayChange(proposal.routingUrlChanges, options.mayChangeRoutingUrls === true);
      const evaluation = await this.evaluate(current, proposal, await this.store.currentOperationLists(tx));
      this.refuseUnsafe(evaluation, options.force === true);
      // Composes and breaks nobody: now, is it deployed? (--force does not skip this: deployFollows does.)
      const servedSchemaCheck: ServedSchemaCheck = { status: deployFollows ? 'skipped' : 'verified', subgraphs: proposal.changed };
      if (!deployFollows) {
        // A concurrent publish may have moved a subgraph since: ask again for anything not asked ahead.
        const asked = proposal.changed.map((name) => {
          const member = proposal.members.get(name)!;
          return servedAhead.get(servedKey(name, member.routingUrl, member.sdl)) ?? this.servedProblem(name, member.routingUrl, member.sdl);
        });
        refuseUndeployed((await Promise.all(asked)).filter((p): p is ServedSchemaProblem => p !== null));
      }
      const memberIds: number[] = [];
      const subgraphVersions: Record<string, number> = {};
      for (const [name, member] of proposal.members) {
        if (member.existing) {
          memberIds.push(member.existing.subgraphVersionId);
          continue;
        }
        const added = await this.store.addSubgraphVersion(tx, { name, sdl: member.sdl, routingUrl: member.routingUrl, author: options.author });
        memberIds.push(added.subgraphVersionId);
        subgraphVersions[name] = added.version;
      }
      const supergraph = await this.store.addSupergraphVersion(tx, {
        ...this.composedOf(evaluation),
        action: 'PUBLISH',
        subgraph: proposal.changed.join(','),
        author: options.author,
        memberIds,
      });
      return { status: 'published', supergraphVersion: supergraph.version, subgraphVersions, report: evaluation.report, servedSchemaCheck };
    });
  }

  /** Starts asking every changed subgraph of a proposal for its served schema, if this caller may publish it. */
  private askServed(proposal: Proposal, options: WriteOptions): Map<string, Promise<ServedSchemaProblem | null>> {
    const asked = new Map<string, Promise<ServedSchemaProblem | null>>();
    if (proposal.routingUrlChanges.length > 0 && options.mayChangeRoutingUrls !== true) return asked; // refused under the lock
    for (const name of proposal.changed) {
      const member = proposal.members.get(name)!;
      asked.set(servedKey(name, member.routingUrl, member.sdl), this.servedProblem(name, member.routingUrl, member.sdl));
    }
    return asked;
  }

  /** What keeps a subgraph's served schema from answering everything its submitted schema promises, if anything. */
  private async servedProblem(subgraph: string, routingUrl: string, sdl: string): Promise<ServedSchemaProblem | null> {
    const served = await fetchServedSdl(routingUrl, this.served.timeoutMs);
    if (!served.ok) return { subgraph, routingUrl, unreachable: served.reason };
    try {
      const missing = await missingFromServed(sdl, served.sdl);
      return missing.length === 0 ? null : { subgraph, routingUrl, missing };
    } catch {
      return { subgraph, routingUrl, unreachable: `its ${SERVICE_SDL_QUERY} answer is not a schema the registry can read` };
    }
  }

  /** Makes an earlier version of a subgraph current again, composed and checked like any publish. */
  async rollback(name: string, version: number, options: WriteOptions): Promise<PublishOutcome> {
    return this.store.write(async (tx) => {
      const target = await this.store.subgraphVersion(name, version, tx);
      if (!target) throw new RegistryError('NOT_FOUND', 404, `Subgraph ${name} has no version ${version}`);
      const current = await this.store.currentSupergraph(tx);
      const inUse = current?.members.find((m) => m.name === name);
      if (current && inUse?.subgraphVersionId === target.id) return { status: 'unchanged', supergraphVersion: current.version };
      const members = this.currentMembers(current);
      members.set(name, { sdl: target.sdl, routingUrl: target.routingUrl, existing: toMember(target) });
      // The version rolled back to may route elsewhere than the one in use: that is a routing-URL change.
      const moved = inUse && inUse.routingUrl !== target.routingUrl ? [{ subgraph: name, from: inUse.routingUrl, to: target.routingUrl }] : [];
      if (moved.length > 0) this.routing.assertAllowed(name, target.routingUrl);
      this.routing.assertMayChange(moved, options.mayChangeRoutingUrls === true);
      const evaluation = await this.evaluate(current, { members, changed: [name], routingUrlChanges: moved }, await this.store.currentOperationLists(tx));
      this.refuseUnsafe(evaluation, options.force === true);
      const supergraph = await this.store.addSupergraphVersion(tx, {
        ...this.composedOf(evaluation),
        action: 'ROLLBACK',
        subgraph: name,
        author: options.author,
        memberIds: [...members.values()].map((m) => m.existing!.subgraphVersionId),
      });
      return { status: 'published', supergraphVersion: supergraph.version, subgraphVersions: { [name]: target.version }, report: evaluation.report };
    });
  }

  /** Registers a new version of a client's persisted operation list; every operation must validate now. */
  async registerOperations(client: string, operations: StoredOperation[], author: string, options: { force: boolean } = { force: false }): Promise<{ status: 'registered' | 'unchanged'; version: number }> {
    return this.store.write(async (tx) => {
      const current = await this.store.currentSupergraph(tx);
      if (!current) throw new RegistryError('NO_SUPERGRAPH', 409, 'Publish subgraphs before registering operations');
      const schema = schemaOf(current.apiSdl);
      const invalid = operations
        .map((operation) => ({ operation: operation.name, errors: [...idProblems(operation), ...validateOperation(schema, operation.body, operation.type)] }))
        .filter((entry) => entry.errors.length > 0);
      if (invalid.length > 0) {
        throw new RegistryError('OPERATIONS_INVALID', 422, `${invalid.length} operation(s) do not validate against supergraph version ${current.version}`, { invalid });
      }
      const names = operations.map((o) => o.name);
      const duplicate = names.find((name, i) => names.indexOf(name) !== i);
      if (duplicate) throw new RegistryError('BAD_REQUEST', 400, `Operation name ${duplicate} appears twice`);
      const existing = (await this.store.currentOperationLists(tx)).find((list) => list.client === client);
      if (existing && sameOperations(existing.operations, operations)) return { status: 'unchanged', version: existing.version };
      // Clients built with the current list (an open tab, last month's mobile app) still send its
      // ids, and a gateway running registered operations only would refuse every one dropped here.
      const kept = new Set(operations.map((o) => o.id));
      const removed = (existing?.operations ?? []).filter((o) => !kept.has(o.id)).map((o) => o.name);
      if (removed.length > 0 && !options.force) {
        throw new RegistryError(
          'OPERATIONS_REMOVED',
          409,
          `This list drops ${removed.length} operation(s) of ${client}'s current list (version ${existing!.version}), which its clients may still send: register with force once no client sends them`,
          { removed },
        );
      }
      return { status: 'registered', version: await this.store.addOperationList(tx, { client, operations, author }) };
    });
  }

  /** Changes between two supergraph versions' API schemas, weighed against today's operations. */
  async diffSupergraphs(from: number, to: number): Promise<{ changes: SchemaChange[]; routingUrlChanges: RoutingUrlChange[] }> {
    const [before, after] = await Promise.all([this.store.supergraphVersion(from), this.store.supergraphVersion(to)]);
    if (!before || !after) throw new RegistryError('NOT_FOUND', 404, `No supergraph version ${!before ? from : to}`);
    const [urlsBefore, urlsAfter] = await Promise.all([this.store.routingUrls(from), this.store.routingUrls(to)]);
    return {
      changes: await classifyChanges(schemaOf(before.apiSdl), schemaOf(after.apiSdl), registeredOperations(await this.store.currentOperationLists())),
      routingUrlChanges: routingUrlChanges(urlsBefore, urlsAfter),
    };
  }

  /** Changes between two versions of one subgraph's own schema, and of its routing URL. */
  async diffSubgraph(name: string, from: number, to: number): Promise<{ changes: SchemaChange[]; routingUrl?: { from: string; to: string } }> {
    const [before, after] = await Promise.all([this.store.subgraphVersion(name, from), this.store.subgraphVersion(name, to)]);
    if (!before || !after) throw new RegistryError('NOT_FOUND', 404, `Subgraph ${name} has no version ${!before ? from : to}`);
    // Federation's directives are not declared in a subgraph's SDL: build without validating them.
    const build = (sdl: string) => graphql.buildASTSchema(graphql.parse(sdl), { assumeValidSDL: true });
    const changes = await classifyChanges(build(before.sdl), build(after.sdl), []);
    return before.routingUrl === after.routingUrl ? { changes } : { changes, routingUrl: { from: before.routingUrl, to: after.routingUrl } };
  }

  private propose(current: CurrentSupergraph | null, submissions: SubgraphSubmission[]): Proposal {
    if (submissions.length === 0) throw new RegistryError('BAD_REQUEST', 400, 'Nothing to publish');
    const members = this.currentMembers(current);
    const changed: string[] = [];
    const moved: RoutingUrlChange[] = [];
    for (const submission of submissions) {
      const existing = members.get(submission.name)?.existing;
      const routingUrl = submission.url ?? existing?.routingUrl;
      if (!routingUrl) throw new RegistryError('BAD_REQUEST', 400, `Subgraph ${submission.name} is new: give its routing URL`);
      if (existing && existing.sdlHash === sha256(submission.sdl) && existing.routingUrl === routingUrl) continue;
      // A new subgraph's first URL is part of adding it (composition-checked, allow-listed); moving one is an admin's.
      if (!existing || existing.routingUrl !== routingUrl) this.routing.assertAllowed(submission.name, routingUrl);
      if (existing && existing.routingUrl !== routingUrl) moved.push({ subgraph: submission.name, from: existing.routingUrl, to: routingUrl });
      members.set(submission.name, { sdl: submission.sdl, routingUrl });
      changed.push(submission.name);
    }
    return { members, changed, routingUrlChanges: moved };
  }

  private currentMembers(current: CurrentSupergraph | null): Proposal['members'] {
    return new Map((current?.members ?? []).map((m) => [m.name, { sdl: m.sdl, routingUrl: m.routingUrl, existing: m }]));
  }

  private async evaluate(current: CurrentSupergraph | null, proposal: Proposal, lists: OperationList[]): Promise<Evaluation> {
    const operations = registeredOperations(lists);
    // Loaded on the first publish or check that changes something, not at start: the composition
    // stack is a quarter of the registry's start-up, which the gateway waits for under `npm start`.
    const { composeSupergraph } = await import('@supergraph/composition');
    const composition = composeSupergraph([...proposal.members].map(([name, m]) => ({ name, url: m.routingUrl, sdl: m.sdl })));
    const base = { subgraphs: proposal.changed, routingUrlChanges: proposal.routingUrlChanges };
    if (!composition.ok) {
      return {
        report: { ...base, ok: false, compositionErrors: composition.errors, changes: [], brokenOperations: [], summary: { breaking: 0, dangerous: 0, safe: 0, operationsChecked: 0 } },
      };
    }
    const after = schemaOf(composition.apiSchemaSdl);
    const changes = await classifyChanges(current ? schemaOf(current.apiSdl) : null, after, operations);
    const broken = brokenOperations(after, operations, changes);
    const count = (level: SchemaChange['level']) => changes.filter((c) => c.level === level).length;
    return {
      report: {
        ...base,
        ok: broken.length === 0,
        compositionErrors: [],
        changes,
        brokenOperations: broken,
        summary: { breaking: count('breaking'), dangerous: count('dangerous'), safe: count('safe'), operationsChecked: operations.length },
      },
      composed: { supergraphSdl: composition.supergraphSdl, apiSchemaSdl: composition.apiSchemaSdl },
    };
  }

  private refuseUnsafe(evaluation: Evaluation, force: boolean) {
    const { report } = evaluation;
    if (!evaluation.composed) throw new RegistryError('COMPOSITION_FAILED', 422, `Composition failed: ${report.compositionErrors[0]}`, { report });
    if (report.brokenOperations.length > 0 && !force) {
      const first = report.brokenOperations[0]!;
      throw new RegistryError(
        'BREAKS_REGISTERED_OPERATIONS',
        409,
        `Breaks ${report.brokenOperations.length} registered operation(s), e.g. ${first.client}/${first.operation}: ${first.reasons[0]}`,
        { report },
      );
    }
  }

  private composedOf(evaluation: Evaluation) {
    return { sdl: evaluation.composed!.supergraphSdl, apiSdl: evaluation.composed!.apiSchemaSdl };
  }
}

export function registeredOperations(lists: OperationList[]): RegisteredOperation[] {
  return lists.flatMap((list) => list.operations.map((o) => ({ client: list.client, name: o.name, body: o.body })));
}

function idProblems(operation: StoredOperation): string[] {
  return sha256(operation.body) === operation.id ? [] : [`id is not the sha256 of the body`];
}

function sameOperations(a: StoredOperation[], b: StoredOperation[]): boolean {
  const key = (ops: StoredOperation[]) => ops.map((o) => `${o.name}:${o.id}`).sort().join(',');
  return key(a) === key(b);
}

const servedKey = (name: string, routingUrl: string, sdl: string) => `${name} ${routingUrl} ${sha256(sdl)}`;

/**
 * Refuses a publish whose subgraphs do not serve (or could not be asked for) what was submitted:
 * gateways would send them queries they cannot answer, and lose every entity those touch.
 */
function refuseUndeployed(problems: ServedSchemaProblem[]) {
  if (problems.length === 0) return;
  const unreachable = problems.filter((p) => p.unreachable);
  const undeployed = problems.filter((p) => p.missing);
  const what = [
    ...undeployed.map((p) => {
      const paths = p.missing!.map((m) => m.path ?? m.message);
      return `${p.subgraph} at ${p.routingUrl} does not serve ${paths.slice(0, 5).join(', ')}${paths.length > 5 ? ` and ${paths.length - 5} more` : ''}`;
    }),
    ...unreachable.map((p) => `${p.subgraph} at ${p.routingUrl} could not be asked for its schema: ${p.unreachable}`),
  ].join('; ');
  const todo =
    'Deploy the subgraph first, then publish; or, to publish ahead of its deploy on purpose (gateways will send it queries it cannot answer until it is deployed), publish with deployFollows (CLI: --deploy-follows). Nothing was changed';
  throw new RegistryError(undeployed.length > 0 ? 'SCHEMA_NOT_DEPLOYED' : 'SUBGRAPH_UNREACHABLE', 409, `${what}. ${todo}`, { servedSchemaProblems: problems });
}
