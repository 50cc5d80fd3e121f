import {
  getNamedType,
  GraphQLField,
  GraphQLInputType,
  GraphQLObjectType,
  GraphQLSchema,
  isEnumType,
  isInputObjectType,
  isListType,
  isNonNullType,
  isObjectType,
  isScalarType,
} from 'graphql';

/**
 * Requests built from the schema (every field of a root field's result, nested objects
 * included) and the per-field outcome of a response: for every object the response holds,
 * each selected field was either answered or denied (`null` + an `Unauthorized` error at its
 * path). Nothing here names a field: it all comes from the schema.
 */

export interface SelectionNode {
  readonly name: string;
  /** The named type of the field's result. */
  readonly type: string;
  readonly children?: readonly SelectionNode[];
}

/** Every field of an object type, nested objects down to `depth` levels. */
function selectAll(schema: GraphQLSchema, typeName: string, depth = 3): SelectionNode[] {
  const type = schema.getType(typeName) as GraphQLObjectType;
  return Object.values(type.getFields())
    .filter((f) => !f.args.some((a) => isNonNullType(a.type)))
    .flatMap((f) => {
      const named = getNamedType(f.type);
      if (!isObjectType(named)) return [{ name: f.name, type: named.name }];
      if (depth === 0) return [];
      return [{ name: f.name, type: named.name, children: selectAll(schema, named.name, depth - 1) }];
    });
}

function printSelection(nodes: readonly SelectionNode[]): string {
  return nodes.map((n) => (n.children ? `${n.name} { ${printSelection(n.children)} }` : n.name)).join(' ');
}

/** Argument values from the schema's types; `pick` supplies fixture values by argument path. */
export type ArgPicker = (path: string, type: GraphQLInputType) => unknown;

function valueFor(type: GraphQLInputType, path: string, pick: ArgPicker): unknown {
  const inner = isNonNullType(type) ? type.ofType : type;
  const picked = pick(path, inner);
  if (picked !== undefined) return picked;
  if (isListType(inner)) return [valueFor(inner.ofType, `${path}[]`, pick)];
  if (isInputObjectType(inner)) {
    return Object.fromEntries(Object.values(inner.getFields()).map((f) => [f.name, valueFor(f.type, `${path}.${f.name}`, pick)]));
  }
  if (isEnumType(inner)) return inner.getValues()[0].value;
  if (isScalarType(inner)) {
    if (inner.name === 'Int') return 5;
    if (inner.name === 'Boolean') return true;
    return `local-authz ${path}`;
  }
  throw new Error(`no value for ${path}`);
}

/**
 * `query|mutation Op($a: T!) { field(a: $a) { ...every field... } }` for one root field.
 * Required arguments get values; optional top-level arguments are left out.
 */
export function rootFieldRequest(
  schema: GraphQLSchema,
  operation: 'query' | 'mutation',
  field: GraphQLField<unknown, unknown>,
  pick: ArgPicker,
): { query: string; variables: Record<string, unknown>; selection: SelectionNode } {
  const rootName = operation === 'query' ? schema.getQueryType()!.name : schema.getMutationType()!.name;
  const args = field.args.filter((a) => isNonNullType(a.type));
  const variables = Object.fromEntries(args.map((a) => [a.name, valueFor(a.type, `${rootName}.${field.name}.${a.name}`, pick)]));
  const defs = args.length ? `(${args.map((a) => `$${a.name}: ${String(a.type)}`).join(', ')})` : '';
  const call = args.length ? `(${args.map((a) => `${a.name}: $${a.name}`).join(', ')})` : '';
  const named = getNamedType(field.type);
  const children = isObjectType(named) ? selectAll(schema, named.name) : undefined;
  const selection: SelectionNode = { name: field.name, type: named.name, children };
  const query = `${operation} Op${defs} { ${field.name}${call}${children ? ` { ${printSelection(children)} }` : ''} }`;
  return { query, variables, selection };
}

export interface FieldOutcome {
  readonly type: string;
  readonly field: string;
  readonly path: readonly (string | number)[];
  /** An `Unauthorized` error at this path. */
  readonly denied: boolean;
  readonly value: unknown;
  readonly error?: { message: string; errorType: string | null };
}

type ResponseError = { message: string; errorType: string | null; path?: readonly (string | number)[] };

/** The outcome of every selected field the response reached (objects below a null are not reached). */
export function fieldOutcomes(
  parentType: string,
  nodes: readonly SelectionNode[],
  data: unknown,
  errors: readonly ResponseError[] | undefined,
): FieldOutcome[] {
  const byPath = new Map((errors ?? []).filter((e) => e.path).map((e) => [JSON.stringify(e.path), e]));
  const out: FieldOutcome[] = [];
  const walk = (typeName: string, children: readonly SelectionNode[], value: unknown, path: (string | number)[]) => {
    for (const node of children) {
      const fieldPath = [...path, node.name];
      const error = byPath.get(JSON.stringify(fieldPath));
      const v = value && typeof value === 'object' ? (value as Record<string, unknown>)[node.name] : undefined;
      out.push({ type: typeName, field: node.name, path: fieldPath, denied: error?.errorType === 'Unauthorized', value: v, error });
      if (!node.children || v === null || v === undefined || error) continue;
      if (Array.isArray(v)) v.forEach((item, i) => walk(node.type, node.children!, item, [...fieldPath, i]));
      else walk(node.type, node.children, v, fieldPath);
    }
  };
  walk(parentType, nodes, data, []);
  return out;
}
