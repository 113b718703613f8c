// Imports every domain module (each registers its types on the builder) and builds the schema.
import { type GraphQLSchema, isObjectType, lexicographicSortSchema, printSchema } from 'graphql';
import { builder } from './builder.ts';
import './enums.ts';
import './task.ts';
import './lease.ts';
import './task-event.ts';
import './client.ts';
import './document.ts';
import './document-metadata.ts';
import './document-search.ts';
import './api-key.ts';
import './stats.ts';
import './activity.ts';
import './plan.ts';
import './id-prefix.ts';
import './follow.ts';
import './follow-coverage.ts';
import './pause.ts';
import './task-bulk.ts';
import './failed-document.ts';

export const schema = describeTotalCounts(builder.toSchema());

/**
 * The Prisma plugin adds `totalCount` to a connection without a way to describe it: the one description it needs
 * is set here, on every field the plugin marks as its total count.
 */
function describeTotalCounts(built: GraphQLSchema): GraphQLSchema {
  for (const type of Object.values(built.getTypeMap()))
    if (isObjectType(type))
      for (const field of Object.values(type.getFields()))
        if (field.extensions?.pothosPrismaTotalCount && !field.description)
          field.description =
            'how many rows the whole list has (all pages), counted when asked: leave it out of a query that does not need it';
  return built;
}

/** The committed schema.graphql is exactly this text. */
export const printedSchema = () => `${printSchema(lexicographicSortSchema(schema))}\n`;
