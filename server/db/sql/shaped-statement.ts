// Statements whose text depends on a few choices (their shape) and whose values change at every call, built once per
// shape. Composing Prisma.sql fragments copies and concatenates every string of the statement at each call, and a
// Prisma.Sql joins its `text` again at each read — a new string of several kB that the prepared-name lookup
// (database.ts) then hashes and compares — for each coalesced claim and completion: ~9 kB of the ~105 kB the gate
// allocated per claimTask+completeTask cycle (docs/benchmarks.md, session 14). Here the statement is composed once
// per shape with a marker where each value goes; a call gets a Prisma.Sql with that shape's text (the same string)
// and its own values at the markers' places.
import type { Prisma } from '../../generated/prisma/client.ts';

/** Where a value goes in a statement built once per shape. */
class Slot {
  constructor(readonly name: string) {}
}

interface Shape<V> {
  template: Prisma.Sql;
  /** the index in the statement's values of each value given by name */
  slots: Array<[index: number, name: keyof V]>;
}

/**
 * `build(values, ...choices)` composes the statement of one shape: each of `values` (markers, then) must go into it as
 * a value as it is (not computed on, not inside a raw fragment), and the choices decide everything else. The function
 * returned builds it once per set of choices and hands out that statement with the values of each call.
 */
export function shapedStatement<V extends Record<string, unknown>, C extends Array<string | number | boolean>>(
  build: (values: V, ...choices: C) => Prisma.Sql,
): (values: V, ...choices: C) => Prisma.Sql {
  const shapes = new Map<string, Shape<V>>();
  return (values, ...choices) => {
    const key = choices.join('/');
    let shape = shapes.get(key);
    if (!shape) {
      const markers = Object.fromEntries(Object.keys(values).map((name) => [name, new Slot(name)])) as unknown as V;
      const template = build(markers, ...choices);
      // the text joined once: every statement of this shape reads this string
      Object.defineProperty(template, 'text', { value: template.text });
      const slots: Shape<V>['slots'] = [];
      template.values.forEach((value, index) => {
        if (value instanceof Slot) slots.push([index, value.name as keyof V]);
      });
      if (new Set(slots.map(([, name]) => name)).size !== Object.keys(values).length) {
        throw new Error(`a value of statement shape ${key} is not placed as a value`);
      }
      shape = { template, slots };
      shapes.set(key, shape);
    }
    // the shape's strings and text, this call's values
    const query: Prisma.Sql = Object.create(shape.template);
    const placed = shape.template.values.slice();
    for (const [index, name] of shape.slots) placed[index] = values[name];
    Object.defineProperty(query, 'values', { value: placed, enumerable: true });
    return query;
  };
}
