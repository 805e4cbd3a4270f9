import type { GraphQLNamedType, GraphQLSchema, OperationDefinitionNode } from 'graphql';
import { graphql } from './graphql.ts';

const { getNamedType, isEnumType, isInputObjectType, parse, TypeInfo, typeFromAST, visit, visitWithTypeInfo } = graphql;

/** A registered operation: which client registered it and its text. */
export interface RegisteredOperation {
  client: string;
  name: string;
  body: string;
}

/**
 * Which parts of the API schema an operation touches, as schema coordinates: `Type`,
 * `Type.field` and `Type.field.argument`. Input and enum types count as used as a whole (every
 * input field, every value): a variable of that type may carry any of them.
 */
export interface OperationUsage {
  coordinates: Set<string>;
  wholeTypes: Set<string>;
}

export function operationUsage(schema: GraphQLSchema, body: string): OperationUsage {
  const coordinates = new Set<string>();
  const wholeTypes = new Set<string>();
  const useType = (type: GraphQLNamedType | null | undefined) => {
    if (!type || coordinates.has(type.name)) return;
    coordinates.add(type.name);
    if (isEnumType(type)) wholeTypes.add(type.name);
    if (isInputObjectType(type)) {
      wholeTypes.add(type.name);
      for (const field of Object.values(type.getFields())) useType(getNamedType(field.type));
    }
  };
  const typeInfo = new TypeInfo(schema);
  const document = parse(body);
  visit(
    document,
    visitWithTypeInfo(typeInfo, {
      OperationDefinition(node: OperationDefinitionNode) {
        const root = schema.getRootType(node.operation);
        if (root) useType(root);
      },
      VariableDefinition(node) {
        // typeFromAST's overloads want a specific node kind; the union is what a definition holds.
        const type = typeFromAST(schema, node.type as Parameters<typeof typeFromAST>[1]);
        if (type) useType(getNamedType(type));
      },
      Field() {
        const parent = typeInfo.getParentType();
        const field = typeInfo.getFieldDef();
        if (!parent || !field) return;
        coordinates.add(`${parent.name}.${field.name}`);
        useType(getNamedType(field.type));
      },
      Argument() {
        const parent = typeInfo.getParentType();
        const field = typeInfo.getFieldDef();
        const argument = typeInfo.getArgument();
        if (!parent || !field || !argument) return;
        coordinates.add(`${parent.name}.${field.name}.${argument.name}`);
        useType(getNamedType(argument.type));
      },
      InlineFragment() {
        useType(typeInfo.getType() ? getNamedType(typeInfo.getType()!) : null);
      },
    }),
  );
  return { coordinates, wholeTypes };
}

/** Does an operation with this usage touch `type`, `type.field` or `type.field.argument`? */
export function usesCoordinate(usage: OperationUsage, type: string, field?: string, argument?: string): boolean {
  if (!usage.coordinates.has(type)) return false;
  if (field === undefined || usage.wholeTypes.has(type)) return true;
  if (argument === undefined) return usage.coordinates.has(`${type}.${field}`);
  return usage.coordinates.has(`${type}.${field}.${argument}`);
}
