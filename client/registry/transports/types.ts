import type { SearchParams } from '../../rules/index.ts';
import type { RegistryResponse } from '../http.ts';

export type TransportName = 'http' | 'browser';

/**
 * How a session submits a search and walks its session-bound result pages. Pages come back raw;
 * the session parses them and decides what an error page or captcha means.
 */
export interface SearchTransport {
  readonly name: TransportName;
  /** Submits the search form; answers with results page 1 (or whatever the registry answered). */
  submitSearch(params: SearchParams): Promise<RegistryResponse>;
  /** `/Page/<n>` of the session's last search. */
  resultsPage(page: number): Promise<RegistryResponse>;
  close(): Promise<void>;
}
