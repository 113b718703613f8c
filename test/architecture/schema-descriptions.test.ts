// GraphiQL's docs pane is the API's reference, so every type and field of the schema is described: what it is, its
// units, what null means, which key may use it. A type or field added without a description fails here by name.
// Enum values and arguments are not counted.
import { readFileSync } from 'node:fs';
import { buildSchema, isInputObjectType, isInterfaceType, isObjectType, isScalarType } from 'graphql';
import { expect, it } from 'vitest';

const schema = buildSchema(readFileSync(new URL('../../schema.graphql', import.meta.url), 'utf8'));

function undescribed(): string[] {
  const missing: string[] = [];
  for (const type of Object.values(schema.getTypeMap())) {
    if (type.name.startsWith('__') || (isScalarType(type) && !type.astNode)) continue; // introspection, built-ins
    if (!type.description) missing.push(type.name);
    if (isObjectType(type) || isInputObjectType(type) || isInterfaceType(type)) {
      for (const field of Object.values(type.getFields())) {
        if (!field.description) missing.push(`${type.name}.${field.name}`);
      }
    }
  }
  return missing;
}

it('every type and field of the schema has a description (GraphiQL docs are the reference)', () => {
  expect(undescribed(), 'describe these in server/schema/ (description: …), then npm run schema:print').toEqual([]);
});
