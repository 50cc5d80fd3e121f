import {
  DocumentNode,
  execute,
  FieldNode,
  FragmentDefinitionNode,
  GraphQLSchema,
  Kind,
  OperationDefinitionNode,
  SelectionSetNode,
  valueFromASTUntyped,
} from 'graphql';
import type { Fragments } from './selection-set';
import { toAppSyncError, AppSyncErrorJson } from './errors';

/**
 * AppSync subscriptions: a field with `@aws_subscribe(mutations: [...])` fires when one of
 * those mutations succeeds, and its payload is the mutation's result as the MUTATION selected
 * it (fields the mutation did not select arrive null). Subscription arguments filter: a
 * subscriber gets an event only when each argument it gave equals the payload's field.
 */

export interface Subscriber {
  readonly document: DocumentNode;
  readonly operation: OperationDefinitionNode;
  /** The subscription field (e.g. `onArticlePublished`). */
  readonly fieldName: string;
  readonly args: Readonly<Record<string, unknown>>;
  readonly variables: Readonly<Record<string, unknown>>;
  deliver(payload: { data: unknown; errors?: AppSyncErrorJson[] }): void;
}

/** Mutation field -> subscription fields that `@aws_subscribe` to it. */
function subscriptionTriggers(schema: GraphQLSchema): Map<string, string[]> {
  const triggers = new Map<string, string[]>();
  for (const field of Object.values(schema.getSubscriptionType()?.getFields() ?? {})) {
    const directive = field.astNode?.directives?.find((d) => d.name.value === 'aws_subscribe');
    const arg = directive?.arguments?.find((a) => a.name.value === 'mutations');
    const mutations = arg ? valueFromASTUntyped(arg.value) : [];
    for (const m of Array.isArray(mutations) ? mutations : [mutations]) {
      triggers.set(String(m), [...(triggers.get(String(m)) ?? []), field.name]);
    }
  }
  return triggers;
}

/** A document's fragment definitions by name. */
export function fragmentsOf(document: DocumentNode): Fragments {
  const out: Record<string, FragmentDefinitionNode> = {};
  for (const d of document.definitions) if (d.kind === Kind.FRAGMENT_DEFINITION) out[d.name.value] = d;
  return out;
}

function fieldsOf(set: SelectionSetNode | undefined, fragments: Fragments): FieldNode[] {
  return (set?.selections ?? []).flatMap((s) =>
    s.kind === Kind.FIELD
      ? [s]
      : s.kind === Kind.INLINE_FRAGMENT
        ? fieldsOf(s.selectionSet, fragments)
        : fieldsOf(fragments[s.name.value]?.selectionSet, fragments),
  );
}

/** Re-keys a result value from response keys (aliases) to field names, as the payload object. */
function unalias(value: unknown, set: SelectionSetNode | undefined, fragments: Fragments): unknown {
  if (!set || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((v) => unalias(v, set, fragments));
  const source = value as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const f of fieldsOf(set, fragments)) {
    const key = f.alias?.value ?? f.name.value;
    if (Object.hasOwn(source, key)) out[f.name.value] = unalias(source[key], f.selectionSet, fragments);
  }
  return out;
}

function matchesArgs(payload: unknown, args: Readonly<Record<string, unknown>>): boolean {
  const p = (payload ?? {}) as Record<string, unknown>;
  return Object.entries(args).every(([k, v]) => v === null || v === undefined || p[k] === v);
}

export interface SubscriptionHub {
  add(s: Subscriber): () => void;
  /** Called after a mutation ran: fans its results out to the matching subscribers. */
  publish(mutation: { document: DocumentNode; operation: OperationDefinitionNode; data: unknown }): Promise<void>;
}

export function createSubscriptionHub(schema: GraphQLSchema): SubscriptionHub {
  const triggers = subscriptionTriggers(schema);
  const byField = new Map<string, Set<Subscriber>>();

  async function deliver(s: Subscriber, payload: unknown): Promise<void> {
    // The payload was authorized when the subscriber subscribed; its fields are not re-checked
    // (AppSync semantics: it carries what the mutation selected).
    const result = (await execute({
      schema,
      document: s.document,
      rootValue: { [s.fieldName]: payload },
      variableValues: s.variables,
    }));
    s.deliver(result.errors ? { data: result.data ?? null, errors: result.errors.map(toAppSyncError) } : { data: result.data ?? null });
  }

  return {
    add(s) {
      const set = byField.get(s.fieldName) ?? new Set<Subscriber>();
      set.add(s);
      byField.set(s.fieldName, set);
      return () => set.delete(s);
    },
    async publish({ document, operation, data }) {
      if (operation.operation !== 'mutation' || !data) return;
      const fragments = fragmentsOf(document);
      const results = data as Record<string, unknown>;
      const deliveries: Promise<void>[] = [];
      for (const field of fieldsOf(operation.selectionSet, fragments)) {
        const listeners = (triggers.get(field.name.value) ?? []).flatMap((subField) => [...(byField.get(subField) ?? [])]);
        // Most mutations have nobody listening: no payload to build.
        if (listeners.length === 0) continue;
        const value = results[field.alias?.value ?? field.name.value];
        if (value === null || value === undefined) continue;
        const payload = unalias(value, field.selectionSet, fragments);
        for (const s of listeners) {
          if (matchesArgs(payload, s.args)) deliveries.push(deliver(s, payload));
        }
      }
      await Promise.all(deliveries);
    },
  };
}
