import {
  execute,
  getNamedType,
  isAbstractType,
  isCompositeType,
  isListType,
  isNonNullType,
  isObjectType,
  Kind,
  parse,
  type DocumentNode,
  type FragmentDefinitionNode,
  type GraphQLFieldResolver,
  type GraphQLObjectType,
  type GraphQLOutputType,
  type GraphQLSchema,
  type GraphQLTypeResolver,
  type SelectionSetNode,
} from 'graphql';
import { getArgumentValues } from 'graphql/execution/values.js';

/**
 * What the subgraphs answered while the real stack ran, as one graph of objects that any planner's
 * fetches can be answered from (README's bench:gateway-only says why):
 *
 * - every field is stored under its name and arguments (`reviewsConnection({"first":3})`), not
 *   under the alias a planner happened to use, so other fetch shapes (Hive's planner aliases and
 *   merges fetches differently) are answered too;
 * - every object of an entity type (one with a `@key`) is one node per typename + key values,
 *   whichever subgraph or fetch supplied its fields, so `_entities` resolves each representation
 *   on its own: batches of any size, order or duplication (plain @apollo/gateway does not dedupe
 *   representations; ours will) find their entities;
 * - root fields are stored under name + arguments.
 *
 * Replay executes the incoming subgraph query with graphql-js over the subgraph's schema (taken
 * from the supergraph) against these nodes; the stub server memoises the answer by request body,
 * so a repeated fetch costs a map lookup.
 */
export type Leaf = string | number | boolean | null;
export type Value = Leaf | GraphNode | Value[];
export interface GraphNode {
  [storeKey: string]: Value;
}

export const storeKey = (fieldName: string, args: Record<string, unknown>) =>
  Object.keys(args).length === 0 ? fieldName : `${fieldName}(${stableJson(args)})`;

export function stableJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  const object = value as Record<string, unknown>;
  return `{${Object.keys(object)
    .sort()
    .filter((k) => object[k] !== undefined)
    .map((k) => `${JSON.stringify(k)}:${stableJson(object[k])}`)
    .join(',')}}`;
}

/** Entity key fields by typename, from the supergraph's `@join__type(key: "…")` (simple field lists only). */
export function entityKeysFromSupergraph(supergraphSdl: string): Map<string, string[][]> {
  const keys = new Map<string, string[][]>();
  for (const definition of parse(supergraphSdl).definitions) {
    if (definition.kind !== Kind.OBJECT_TYPE_DEFINITION && definition.kind !== Kind.INTERFACE_TYPE_DEFINITION) continue;
    for (const directive of definition.directives ?? []) {
      if (directive.name.value !== 'join__type') continue;
      const key = directive.arguments?.find((a) => a.name.value === 'key')?.value;
      if (key?.kind !== Kind.STRING || key.value.includes('{')) continue;
      const fields = key.value.trim().split(/\s+/);
      const list = keys.get(definition.name.value) ?? [];
      if (!list.some((k) => k.join(' ') === fields.join(' '))) list.push(fields);
      keys.set(definition.name.value, list);
    }
  }
  return keys;
}

export interface SubgraphRequest {
  query: string;
  variables?: Record<string, unknown> | null;
  operationName?: string | null;
}

export class RecordedGraph {
  readonly roots = new Map<string, Value>();
  readonly entities = new Map<string, GraphNode>();

  constructor(private readonly entityKeys: Map<string, string[][]>) {}

  /** The node key of an object of `typename` with these fields, or undefined when it is no entity or lacks its key. */
  entityKey(typename: string, fields: Record<string, unknown>): string | undefined {
    for (const key of this.entityKeys.get(typename) ?? []) {
      if (key.every((f) => fields[f] !== undefined && fields[f] !== null)) {
        return `${typename}:${stableJson(key.map((f) => fields[f]))}`;
      }
    }
    return undefined;
  }

  /** The recorded entity a representation (`{ __typename, …key }`) names, if any. */
  entityFor(representation: Record<string, unknown>): GraphNode | undefined {
    const typename = representation.__typename;
    if (typeof typename !== 'string') return undefined;
    const key = this.entityKey(typename, representation);
    return key ? this.entities.get(key) : undefined;
  }

  /** Takes in one subgraph request and its `data`, on the schema of the subgraph that answered. */
  absorb(schema: GraphQLSchema, request: SubgraphRequest, data: Record<string, unknown> | null | undefined) {
    if (!data) return;
    const document = parse(request.query);
    const operation = document.definitions.find(
      (d) => d.kind === Kind.OPERATION_DEFINITION && (!request.operationName || d.name?.value === request.operationName),
    );
    if (operation?.kind !== Kind.OPERATION_DEFINITION || operation.operation !== 'query') return;
    const fragments = new Map(
      document.definitions.filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION).map((d) => [d.name.value, d]),
    );
    const walker = new Walker(this, schema, request.variables ?? {}, fragments);
    walker.root(operation.selectionSet, data);
  }

  /** Answers a subgraph request from the recording; `misses` counts fields the recording lacks. */
  replay(schema: GraphQLSchema, request: SubgraphRequest, document: DocumentNode = parse(request.query)) {
    let representations = 0;
    let misses = 0;
    const queryType = schema.getQueryType();
    const fieldResolver: GraphQLFieldResolver<unknown, unknown, Record<string, unknown>> = (source, args, _context, info) => {
      if (info.parentType === queryType) {
        if (info.fieldName === '_entities') {
          const reps = (args.representations ?? []) as Array<Record<string, unknown>>;
          representations += reps.length;
          return reps.map((rep) => {
            const entity = this.entityFor(rep);
            if (!entity) misses++;
            return entity ?? null;
          });
        }
        const value = this.roots.get(storeKey(info.fieldName, args));
        if (value === undefined) misses++;
        return value;
      }
      const value = (source as GraphNode)[storeKey(info.fieldName, args)];
      if (value === undefined) misses++;
      return value;
    };
    const typeResolver: GraphQLTypeResolver<unknown, unknown> = (value) => (value as GraphNode).__typename as string;
    const result = execute({
      schema,
      document,
      variableValues: request.variables ?? {},
      operationName: request.operationName ?? undefined,
      fieldResolver,
      typeResolver,
    }) as { data?: unknown; errors?: readonly unknown[] };
    if (result instanceof Promise) throw new Error('replay is synchronous: no resolver returns a promise');
    return { result, representations, misses };
  }
}

/** Merges `from` into `into` (field by field, lists element-wise when their lengths agree). */
function merge(into: GraphNode, from: GraphNode) {
  for (const [key, value] of Object.entries(from)) {
    const existing = into[key];
    if (isNode(existing) && isNode(value) && existing !== value) merge(existing, value);
    else if (Array.isArray(existing) && Array.isArray(value) && existing.length === value.length) {
      into[key] = value.map((v, i) => (isNode(existing[i]) && isNode(v) && existing[i] !== v ? (merge(existing[i] as GraphNode, v), existing[i]!) : v));
    } else into[key] = value;
  }
}

const isNode = (value: unknown): value is GraphNode => typeof value === 'object' && value !== null && !Array.isArray(value);

class Walker {
  constructor(
    private readonly graph: RecordedGraph,
    private readonly schema: GraphQLSchema,
    private readonly variables: Record<string, unknown>,
    private readonly fragments: Map<string, FragmentDefinitionNode>,
  ) {}

  root(selectionSet: SelectionSetNode, data: Record<string, unknown>) {
    const queryType = this.schema.getQueryType()!;
    for (const { field, responseKey } of this.fields(queryType, selectionSet)) {
      const definition = queryType.getFields()[field.name.value];
      const value = data[responseKey];
      if (!definition || value === undefined) continue;
      const args = getArgumentValues(definition, field, this.variables);
      if (field.name.value === '_entities') {
        const reps = (args.representations ?? []) as Array<Record<string, unknown>>;
        (value as unknown[] | null)?.forEach((entity, i) => this.entity(reps[i], entity, field.selectionSet));
        continue;
      }
      const key = storeKey(field.name.value, args);
      this.graph.roots.set(key, this.value(definition.type, field.selectionSet, value, this.graph.roots.get(key)));
    }
  }

  private entity(rep: Record<string, unknown> | undefined, entity: unknown, selectionSet: SelectionSetNode | undefined) {
    if (!rep || !isNode(entity) || typeof rep.__typename !== 'string') return;
    const type = this.schema.getType(rep.__typename);
    const key = this.graph.entityKey(rep.__typename, rep);
    if (!isObjectType(type) || !key || !selectionSet) return;
    const node: GraphNode = { __typename: rep.__typename };
    // The representation's scalars (its key, scalar @requires) are the entity's fields too.
    for (const [k, v] of Object.entries(rep)) if (k !== '__typename' && !isNode(v) && !Array.isArray(v)) node[k] = v as Leaf;
    this.object(type, selectionSet, entity as Record<string, unknown>, node);
    const existing = this.graph.entities.get(key);
    if (existing) merge(existing, node);
    else this.graph.entities.set(key, node);
  }

  private value(type: GraphQLOutputType, selectionSet: SelectionSetNode | undefined, value: unknown, existing: Value | undefined): Value {
    if (value === null || value === undefined) return null;
    if (isNonNullType(type)) return this.value(type.ofType, selectionSet, value, existing);
    if (isListType(type)) {
      if (!Array.isArray(value)) return null;
      const before = Array.isArray(existing) && existing.length === value.length ? existing : [];
      return value.map((v, i) => this.value(type.ofType, selectionSet, v, before[i]));
    }
    const named = getNamedType(type);
    if (!isCompositeType(named) || !selectionSet) return value as Leaf;
    const object = value as Record<string, unknown>;
    const runtime = isAbstractType(named) ? this.schema.getType(String(object.__typename)) : named;
    if (!isObjectType(runtime)) return null;
    const node: GraphNode = { __typename: runtime.name };
    this.object(runtime, selectionSet, object, node);
    // Entities are shared nodes: the same product seen under a review, a page or _entities is one object.
    const key = this.graph.entityKey(runtime.name, node);
    if (key) {
      const canonical = this.graph.entities.get(key);
      if (canonical) {
        merge(canonical, node);
        return canonical;
      }
      this.graph.entities.set(key, node);
      return node;
    }
    if (isNode(existing)) {
      merge(existing, node);
      return existing;
    }
    return node;
  }

  private object(type: GraphQLObjectType, selectionSet: SelectionSetNode, data: Record<string, unknown>, node: GraphNode) {
    for (const { field, responseKey } of this.fields(type, selectionSet)) {
      if (field.name.value === '__typename') continue;
      const definition = type.getFields()[field.name.value];
      const value = data[responseKey];
      if (!definition || value === undefined) continue;
      const key = storeKey(field.name.value, getArgumentValues(definition, field, this.variables));
      node[key] = this.value(definition.type, field.selectionSet, value, node[key]);
    }
  }

  /** The fields of a selection set that apply to `type`, through inline fragments and spreads. */
  private *fields(type: GraphQLObjectType, selectionSet: SelectionSetNode): Generator<{ field: import('graphql').FieldNode; responseKey: string }> {
    for (const selection of selectionSet.selections) {
      if (selection.kind === Kind.FIELD) {
        yield { field: selection, responseKey: selection.alias?.value ?? selection.name.value };
      } else {
        const fragment = selection.kind === Kind.INLINE_FRAGMENT ? selection : this.fragments.get(selection.name.value);
        if (!fragment) continue;
        const condition = fragment.typeCondition?.name.value;
        if (condition && condition !== type.name) {
          const conditionType = this.schema.getType(condition);
          if (!conditionType || !isAbstractType(conditionType) || !this.schema.isSubType(conditionType, type)) continue;
        }
        yield* this.fields(type, fragment.selectionSet);
      }
    }
  }
}
