/**
 * `ctx.info.selectionSetList` (local/graphql/selection-set.ts) for a field selected in one place
 * and for one that graphql-js merges from several selections.
 */
import { FieldNode, FragmentDefinitionNode, Kind, OperationDefinitionNode, parse } from 'graphql';
import { selectionSetOf } from '../local/graphql/selection-set';

const doc = parse('{ x { ...F } y { ...F a { p } } } fragment F on T { a { q } }');
const fragments = { F: doc.definitions.find((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION)! };
const operation = doc.definitions.find((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION)!;
const field = (set: { selections: readonly unknown[] } | undefined, name: string) =>
  set!.selections.find((s): s is FieldNode => (s as FieldNode).kind === Kind.FIELD && (s as FieldNode).name.value === name)!;
/** `a` as the fragment selects it: one node, shared by x.a and y.a. */
const aInFragment = field(fragments.F.selectionSet, 'a');
/** `a` as y selects it beside the fragment. */
const aInY = field(field(operation.selectionSet, 'y').selectionSet, 'a');

test('a field selected once lists its selection; merged with another selection of it, both', () => {
  // x.a: only the fragment's node. y.a: graphql-js merges the fragment's node and y's own.
  expect(selectionSetOf([aInFragment], fragments).list).toEqual(['q']);
  expect(selectionSetOf([aInFragment, aInY], fragments).list).toEqual(['q', 'p']);
  // And x.a, asked again, still gets only its own.
  expect(selectionSetOf([aInFragment], fragments).list).toEqual(['q']);
});
