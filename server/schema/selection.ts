// What a query selects below a field, for resolvers that can fetch less when it asks for less (a batch claim whose
// caller reads only each task's id need not decode 33 columns per row).
import {
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLResolveInfo,
  Kind,
  type SelectionSetNode,
} from 'graphql';

/**
 * True when every field the query selects at `path` below the resolving field (e.g. ['task'] on claimTasks: the
 * fields of each lease's task) is one of `fields`, or nothing is selected there. Fragments count with all their
 * fields and a field under @skip or @include counts as selected, so the answer errs towards "selects more".
 */
export function selectsOnly(info: GraphQLResolveInfo, path: string[], fields: ReadonlySet<string>): boolean {
  let sets = info.fieldNodes.map((node) => node.selectionSet);
  for (const name of path) {
    sets = fieldsOf(sets, info.fragments)
      .filter((field) => field.name.value === name)
      .map((field) => field.selectionSet);
  }
  return fieldsOf(sets, info.fragments).every((field) => fields.has(field.name.value));
}

/** The fields of these selection sets, fragments (inline and named) expanded. */
function fieldsOf(
  sets: Array<SelectionSetNode | undefined>,
  fragments: Record<string, FragmentDefinitionNode>,
): FieldNode[] {
  const fields: FieldNode[] = [];
  const visit = (set: SelectionSetNode | undefined) => {
    for (const selection of set?.selections ?? []) {
      if (selection.kind === Kind.FIELD) fields.push(selection);
      else if (selection.kind === Kind.INLINE_FRAGMENT) visit(selection.selectionSet);
      else visit(fragments[selection.name.value]?.selectionSet);
    }
  };
  for (const set of sets) visit(set);
  return fields;
}
