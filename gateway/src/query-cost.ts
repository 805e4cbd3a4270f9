import {
  Kind,
  parse,
  valueFromASTUntyped,
  type DirectiveNode,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLField,
  type GraphQLNamedType,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from 'graphql';

/**
 * Estimated cost of an operation, from the demand-control directives of the IBM GraphQL cost
 * specification as Apollo Federation carries them into the supergraph (`@cost(weight:)`,
 * `@listSize(assumedSize:, slicingArguments:, sizedFields:, requireOneSlicingArgument:)`, linked
 * from https://specs.apollo.dev/cost/v0.1). ADR 0006 describes the model.
 */

export interface ListSize {
  assumedSize?: number;
  slicingArguments?: string[];
  sizedFields?: string[];
  requireOneSlicingArgument: boolean;
}

/** The cost directives of a schema, by coordinate. */
export interface CostDirectives {
  /** `Type.field` -> weight */
  fields: Map<string, number>;
  /** `Type.field(argument:)` -> weight */
  arguments: Map<string, number>;
  /** type name (object, enum, scalar) -> weight of a field returning it */
  types: Map<string, number>;
  /** `Type.field` -> its list size */
  listSizes: Map<string, ListSize>;
}

export const NO_COST_DIRECTIVES: CostDirectives = { fields: new Map(), arguments: new Map(), types: new Map(), listSizes: new Map() };

const COST_SPEC = /^https:\/\/specs\.apollo\.dev\/cost\/v\d/;
const FEDERATION_SPEC = /^https:\/\/specs\.apollo\.dev\/federation\/v\d/;

/**
 * The names the directives go by in this schema, by the link spec's rules: an import, possibly
 * renamed (`{ name: "@cost", as: "@weight" }`), or the namespaced name (`@cost` is the cost spec's
 * namesake, `@cost__listSize` the other one). Supergraphs link the cost spec; subgraphs get the
 * directives through the federation link. Without either link, the spec's plain names.
 */
function directiveNames(document: DocumentNode): { cost: string; listSize: string } {
  for (const definition of document.definitions) {
    if (definition.kind !== Kind.SCHEMA_DEFINITION && definition.kind !== Kind.SCHEMA_EXTENSION) continue;
    for (const link of definition.directives ?? []) {
      if (link.name.value !== 'link') continue;
      const args = argumentsOf(link);
      const url = typeof args.url === 'string' ? args.url : '';
      const isCost = COST_SPEC.test(url);
      if (!isCost && !FEDERATION_SPEC.test(url)) continue;
      const namespace = typeof args.as === 'string' ? args.as : isCost ? 'cost' : 'federation';
      const imported = new Map<string, string>();
      for (const entry of Array.isArray(args.import) ? args.import : []) {
        if (typeof entry === 'string') imported.set(entry, entry);
        else if (entry && typeof entry === 'object' && typeof entry.name === 'string') imported.set(entry.name, typeof entry.as === 'string' ? entry.as : entry.name);
      }
      const name = (directive: string, namesake: boolean) =>
        (imported.get(`@${directive}`) ?? (namesake ? `@${namespace}` : `@${namespace}__${directive}`)).slice(1);
      if (isCost || imported.has('@cost') || imported.has('@listSize')) return { cost: name('cost', isCost), listSize: name('listSize', false) };
    }
  }
  return { cost: 'cost', listSize: 'listSize' };
}

function argumentsOf(directive: DirectiveNode): Record<string, any> {
  return Object.fromEntries((directive.arguments ?? []).map((a) => [a.name.value, valueFromASTUntyped(a.value)]));
}

/** Reads the cost directives of an SDL: the supergraph the gateway serves (the API schema has none). */
export function readCostDirectives(sdl: string | DocumentNode): CostDirectives {
  const document = typeof sdl === 'string' ? parse(sdl) : sdl;
  const names = directiveNames(document);
  const result: CostDirectives = { fields: new Map(), arguments: new Map(), types: new Map(), listSizes: new Map() };
  const weightOf = (directives: readonly DirectiveNode[] | undefined) => {
    const cost = directives?.find((d) => d.name.value === names.cost);
    const weight = cost ? Number(argumentsOf(cost).weight) : NaN;
    return Number.isFinite(weight) ? weight : undefined;
  };
  for (const definition of document.definitions) {
    if (!('name' in definition) || !definition.name) continue;
    const typeName = definition.name.value;
    if ('directives' in definition && definition.kind !== Kind.DIRECTIVE_DEFINITION) {
      const weight = weightOf(definition.directives);
      if (weight !== undefined) result.types.set(typeName, weight);
    }
    if (definition.kind !== Kind.OBJECT_TYPE_DEFINITION && definition.kind !== Kind.OBJECT_TYPE_EXTENSION &&
        definition.kind !== Kind.INTERFACE_TYPE_DEFINITION && definition.kind !== Kind.INTERFACE_TYPE_EXTENSION) continue;
    for (const field of definition.fields ?? []) {
      const coordinate = `${typeName}.${field.name.value}`;
      const weight = weightOf(field.directives);
      if (weight !== undefined) result.fields.set(coordinate, weight);
      for (const argument of field.arguments ?? []) {
        const argumentWeight = weightOf(argument.directives);
        if (argumentWeight !== undefined) result.arguments.set(`${coordinate}(${argument.name.value}:)`, argumentWeight);
      }
      const listSize = field.directives?.find((d) => d.name.value === names.listSize);
      if (listSize) {
        const args = argumentsOf(listSize);
        const strings = (value: unknown) => (Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : undefined);
        result.listSizes.set(coordinate, {
          ...(typeof args.assumedSize === 'number' ? { assumedSize: args.assumedSize } : {}),
          ...(strings(args.slicingArguments) ? { slicingArguments: strings(args.slicingArguments) } : {}),
          ...(strings(args.sizedFields) ? { sizedFields: strings(args.sizedFields) } : {}),
          requireOneSlicingArgument: args.requireOneSlicingArgument !== false,
        });
      }
    }
  }
  return result;
}

/**
 * Cost directives per served schema: the gateway hands over each supergraph it loads with the
 * API schema made from it, so a request is costed with the directives of the schema it runs on.
 */
export class CostDirectivesBySchema {
  private readonly bySchema = new WeakMap<GraphQLSchema, CostDirectives>();
  private latest: CostDirectives = NO_COST_DIRECTIVES;

  update(apiSchema: GraphQLSchema, supergraphSdl: string) {
    this.latest = readCostDirectives(supergraphSdl);
    this.bySchema.set(apiSchema, this.latest);
  }

  for(schema: GraphQLSchema): CostDirectives {
    return this.bySchema.get(schema) ?? this.latest;
  }
}

// By toStringTag, not instanceof: @apollo/gateway builds its schema with the CommonJS copy of
// graphql, which the ESM copy's type guards refuse as "another realm".
const kindOf = (type: GraphQLNamedType) => (type as unknown as { [Symbol.toStringTag]: string })[Symbol.toStringTag];
const isAbstract = (type: GraphQLNamedType) => kindOf(type) === 'GraphQLInterfaceType' || kindOf(type) === 'GraphQLUnionType';
const fieldsOf = (type: GraphQLNamedType): Record<string, GraphQLField<unknown, unknown>> =>
  'getFields' in type && kindOf(type) !== 'GraphQLInputObjectType' ? (type.getFields() as Record<string, GraphQLField<unknown, unknown>>) : {};

/** A page or list size from a (coerced or raw) value; anything that is not a size counts as unknown. */
function sizeOf(value: unknown): number | null {
  const number = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  return typeof number === 'number' && Number.isFinite(number) && number >= 0 ? Math.ceil(number) : null;
}

/**
 * Cost = the sum over selected fields of its weight times the sizes of the lists around it.
 * - A field weighs its `@cost`, else its type's `@cost`, else 1; arguments given add their `@cost`.
 * - A list's size: the largest of its `@listSize` slicing arguments given (literal, variable,
 *   the variable's default, the argument's default), else its `assumedSize`, else, when its
 *   parent's `@listSize` names it in `sizedFields`, the parent's slicing size; a field without
 *   `@listSize` uses its `first` argument; anything else counts `defaultListSize`.
 * - Under an abstract type, the branches for the possible concrete types are exclusive: the most
 *   expensive one counts, not their sum.
 */
export function estimateCost(
  schema: GraphQLSchema,
  document: DocumentNode,
  operation: OperationDefinitionNode,
  variables: Record<string, unknown>,
  defaultListSize: number,
  directives: CostDirectives = NO_COST_DIRECTIVES,
): number {
  const fragments = new Map(
    document.definitions.filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION).map((f) => [f.name.value, f]),
  );
  // Variable values as the operation will see them: given, else the declared default.
  const values: Record<string, unknown> = {};
  for (const definition of operation.variableDefinitions ?? []) {
    const name = definition.variable.name.value;
    if (variables[name] !== undefined) values[name] = variables[name];
    else if (definition.defaultValue) values[name] = valueFromASTUntyped(definition.defaultValue);
  }
  const argumentValue = (field: FieldNode, definition: GraphQLField<unknown, unknown>, path: string): unknown => {
    const [name, ...rest] = path.split('.');
    const node = field.arguments?.find((a) => a.name.value === name)?.value;
    let value: unknown = node ? valueFromASTUntyped(node, values) : definition.args.find((a) => a.name === name)?.defaultValue;
    for (const key of rest) value = value && typeof value === 'object' ? (value as Record<string, unknown>)[key] : undefined;
    return value;
  };
  /** The field's own list size (null: not sized by its arguments or directives). */
  const sliceSize = (field: FieldNode, definition: GraphQLField<unknown, unknown>, listSize: ListSize | undefined): number | null => {
    const slicing = listSize ? (listSize.slicingArguments ?? []) : definition.args.some((a) => a.name === 'first') ? ['first'] : [];
    const sizes = slicing.map((path) => sizeOf(argumentValue(field, definition, path))).filter((s): s is number => s !== null);
    if (sizes.length > 0) return Math.max(...sizes);
    if (slicing.length > 0) return listSize?.assumedSize ?? defaultListSize; // given but unreadable: never zero
    return listSize?.assumedSize ?? null;
  };

  // Memoized by selection set, concrete type and inherited sized fields: repeated fragment spreads
  // are costed once, so a document cannot make the estimate itself expensive.
  const memo = new WeakMap<SelectionSetNode, Map<string, number>>();
  /** Cost of one object of `type` with this selection; `sized`: sizes its parent set for fields named in its sizedFields. */
  const costOf = (selectionSet: SelectionSetNode, type: GraphQLNamedType, sized: ReadonlyMap<string, number>, fragmentPath: ReadonlySet<string>): number => {
    if (isAbstract(type)) {
      let max = 0;
      for (const possible of schema.getPossibleTypes(type as never)) max = Math.max(max, costOf(selectionSet, possible, sized, fragmentPath));
      return max;
    }
    const key = `${type.name}|${[...sized].join(',')}`;
    const cached = memo.get(selectionSet)?.get(key);
    if (cached !== undefined) return cached;
    let cost = 0;
    for (const selection of selectionSet.selections) {
      if (selection.kind === Kind.INLINE_FRAGMENT) {
        if (!selection.typeCondition || applies(selection.typeCondition.name.value, type)) cost += costOf(selection.selectionSet, type, sized, fragmentPath);
        continue;
      }
      if (selection.kind === Kind.FRAGMENT_SPREAD) {
        const fragment = fragments.get(selection.name.value);
        if (!fragment || fragmentPath.has(fragment.name.value) || !applies(fragment.typeCondition.name.value, type)) continue;
        cost += costOf(fragment.selectionSet, type, sized, new Set([...fragmentPath, fragment.name.value]));
        continue;
      }
      cost += fieldCost(selection, type, sized, fragmentPath);
    }
    let byType = memo.get(selectionSet);
    if (!byType) memo.set(selectionSet, (byType = new Map()));
    byType.set(key, cost);
    return cost;
  };
  const applies = (condition: string, type: GraphQLNamedType) => {
    if (condition === type.name) return true;
    const conditionType = schema.getType(condition);
    return !!conditionType && isAbstract(conditionType) && schema.getPossibleTypes(conditionType as never).some((t) => t.name === type.name);
  };
  const fieldCost = (field: FieldNode, parentType: GraphQLNamedType, sized: ReadonlyMap<string, number>, fragmentPath: ReadonlySet<string>): number => {
    const definition = fieldsOf(parentType)[field.name.value];
    if (!definition) return 1; // __typename
    const coordinate = `${parentType.name}.${field.name.value}`;
    const printed = String(definition.type);
    const returnType = schema.getType(printed.replace(/[[\]!]/g, ''));
    let cost = directives.fields.get(coordinate) ?? (returnType && directives.types.get(returnType.name)) ?? 1;
    for (const argument of field.arguments ?? []) cost += directives.arguments.get(`${coordinate}(${argument.name.value}:)`) ?? 0;
    if (!field.selectionSet || !returnType) return cost;
    const listSize = directives.listSizes.get(coordinate);
    const slice = sliceSize(field, definition, listSize);
    if (listSize?.sizedFields?.length) {
      // A connection: its page size sizes the named lists below it, not the field itself.
      const childSized = new Map(listSize.sizedFields.map((name) => [name, slice ?? defaultListSize]));
      return cost + costOf(field.selectionSet, returnType, childSized, fragmentPath);
    }
    const isList = printed.replace(/!$/, '').startsWith('[');
    if (!isList) {
      // Without @listSize, a paged object's `first` sizes the lists below it (the connection convention).
      const childSized = !listSize && slice !== null ? new Map([['*', slice]]) : new Map<string, number>();
      return cost + costOf(field.selectionSet, returnType, childSized, fragmentPath);
    }
    const size = slice ?? sized.get(field.name.value) ?? sized.get('*') ?? defaultListSize;
    return cost + size * costOf(field.selectionSet, returnType, new Map(), fragmentPath);
  };

  const root = operation.operation === 'mutation' ? schema.getMutationType() : operation.operation === 'subscription' ? schema.getSubscriptionType() : schema.getQueryType();
  return root ? costOf(operation.selectionSet, root, new Map(), new Set()) : 0;
}
