/**
 * The rules the gate and the worker both trust, as pure functions and data (no I/O: no files, sockets,
 * databases or registry sessions — test/architecture/boundaries.test.ts fails if one creeps in):
 *   search-fields   the registry's search form: field definitions, validation, form encoding
 *   catalogues      the registry's value lists (regions, instances, decision forms …) and the result cap
 *   registry-dates  `DD.MM.YYYY` ⇄ ISO
 *   registry-error  the error type the registry library throws (invalid params are one of its kinds)
 *   plan-request    an operator's plan request, checked and normalised
 *   plan-window     planning a search into windows, field splits and download chunks
 *   document-metadata  a decision's typed metadata (codes, ISO dates, region) from its metadata JSON
 *   document-export    the columns and formats of a document export
 *   task-limits     how many documents one download task may ask for
 *   network-reason  why a request got no answer (refused, host not found, timed out), naming what was tried
 * The registry library, the worker, the CLI and the gate's services import this face; the gate imports
 * nothing else from client/.
 */
export * from './catalogues.ts';
export * from './document-export.ts';
export * from './document-metadata.ts';
export * from './network-reason.ts';
export * from './plan-request.ts';
export * from './plan-window.ts';
export * from './registry-dates.ts';
export * from './registry-error.ts';
export * from './search-fields.ts';
export * from './task-limits.ts';
