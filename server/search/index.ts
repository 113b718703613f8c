/**
 * Full-text search over decisions, in Ukrainian and Russian, the same on PGlite and PostgreSQL:
 *   words    tokenising and stemming (@orama/stemmers), `indexStems` for the stored tsvector
 *   vector   the stored tsvector's literal, built from the stems
 *   query    a person's search text → tsquery (+ what to highlight)
 *   snippet  a highlighted stretch of a hit's text
 * Pure functions; the SQL lives in server/db/sql/, the rules of searching in server/services/document-search.ts.
 */
export { type Highlight, MAX_QUERY_LENGTH, parseSearchQuery, type SearchQuery, SearchQueryError } from './query.ts';
export { makeSnippet } from './snippet.ts';
export { tsvectorLiteral } from './vector.ts';
export { indexStems, indexText, wordsOf } from './words.ts';
