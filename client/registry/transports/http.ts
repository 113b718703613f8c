/**
 * Search over plain HTTP: GET the form once (session cookie, and how the form names multi-selects),
 * POST it like a browser would, GET `/Page/<n>`.
 */
import { encodeSearchForm, type MultiSelectNaming, type SearchParams } from '../../rules/index.ts';
import type { RegistryHttpClient, RegistryResponse } from '../http.ts';
import { detectMultiSelectNaming } from '../parsers/form.ts';
import { loadPage } from '../parsers/index.ts';
import type { SearchTransport } from './types.ts';

export class HttpSearchTransport implements SearchTransport {
  readonly name = 'http' as const;
  private formLoaded = false;

  /** `naming: 'auto'` follows the form page the registry serves (the raw form says `CourtRegion`). */
  constructor(
    private readonly http: RegistryHttpClient,
    private naming: MultiSelectNaming | 'auto' = 'auto',
  ) {}

  async submitSearch(params: SearchParams): Promise<RegistryResponse> {
    if (!this.formLoaded) {
      // Like a visitor: open the form first (session cookie), then submit it.
      const form = await this.http.get('/');
      if (this.naming === 'auto') this.naming = detectMultiSelectNaming(loadPage(form.html));
      this.formLoaded = true;
    }
    return this.http.postForm('/', encodeSearchForm(params, this.naming === 'auto' ? 'plain' : this.naming));
  }

  resultsPage(page: number): Promise<RegistryResponse> {
    return this.http.get(`/Page/${page}`);
  }

  async close(): Promise<void> {}
}
