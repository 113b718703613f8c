// Imports every domain module (each registers its types on the builder) and builds the schema.
import { lexicographicSortSchema, printSchema } from 'graphql';
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

export const schema = builder.toSchema();

/** The committed schema.graphql is exactly this text. */
export const printedSchema = () => `${printSchema(lexicographicSortSchema(schema))}\n`;
