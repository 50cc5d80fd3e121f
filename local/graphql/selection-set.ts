import { FieldNode, FragmentDefinitionNode, Kind, print, SelectionSetNode } from 'graphql';

/**
 * `ctx.info.selectionSetList` and `selectionSetGraphQL` as AppSync builds them: every selected
 * field path below the resolved field (`items`, `items/id`, ...), fragments inlined. Documents
 * are cached, so the field nodes are stable objects: a field selected once (one node) is computed
 * once per document. A field merged from several selections (e.g. once in a fragment, once
 * beside it) is computed each time: the same first node can be merged with others elsewhere.
 */

/** A document's fragment definitions by name (graphql-js's `info.fragments`). */
export type Fragments = Readonly<Record<string, FragmentDefinitionNode>>;

const cache = new WeakMap<FieldNode, { list: string[]; graphql: string }>();

function collect(set: SelectionSetNode | undefined, fragments: Fragments, prefix: string, out: string[]): void {
  for (const sel of set?.selections ?? []) {
    if (sel.kind === Kind.FIELD) {
      if (sel.name.value.startsWith('__')) continue;
      const path = prefix + sel.name.value;
      if (!out.includes(path)) out.push(path);
      collect(sel.selectionSet, fragments, `${path}/`, out);
    } else if (sel.kind === Kind.INLINE_FRAGMENT) {
      collect(sel.selectionSet, fragments, prefix, out);
    } else {
      collect(fragments[sel.name.value]?.selectionSet, fragments, prefix, out);
    }
  }
}

export function selectionSetOf(fieldNodes: readonly FieldNode[], fragments: Fragments): { list: string[]; graphql: string } {
  const node = fieldNodes[0];
  const single = fieldNodes.length === 1;
  let found = single ? cache.get(node) : undefined;
  if (!found) {
    const list: string[] = [];
    for (const f of fieldNodes) collect(f.selectionSet, fragments, '', list);
    found = { list, graphql: node.selectionSet ? print(node.selectionSet) : '' };
    if (single) cache.set(node, found);
  }
  return found;
}
