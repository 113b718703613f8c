/**
 * A visitor session on the registry: one cookie jar, one search at a time, its session-bound result
 * pages, and decisions. The session reads every page it gets and stops for good on the registry's
 * error page or a shown captcha (no solving, no retry storm). With `transport: 'auto'` a search the
 * registry answers with its error page is repeated once in headless Chromium.
 */
import { pino, type Logger } from 'pino';
import type { Browser } from 'playwright-core';
import {
  RegistryError,
  SEARCH_FIELDS,
  validateSearchParams,
  type MultiSelectNaming,
  type SearchParams,
} from '../rules/index.ts';
import { RegistryHttpClient } from './http.ts';
import {
  DEFAULT_PAGE_LIMITS,
  namingPage,
  parsePage,
  parsePageBytes,
  type DecisionMetadata,
  type PageLimits,
  type RegistryPage,
  type ResultRow,
  type ResultsPage,
  type UnreadableRow,
} from './parsers/index.ts';
import { rowsInTableOrder, wholeResultsPage } from './session-pages.ts';
import { HostPoliteness, type PolitenessOptions, type PolitenessStats } from './politeness.ts';
import { BrowserSearchTransport } from './transports/browser.ts';
import { HttpSearchTransport } from './transports/http.ts';
import type { SearchTransport, TransportName } from './transports/types.ts';

export const DEFAULT_REGISTRY_URL = 'https://reyestr.court.gov.ua';
export const DEFAULT_USER_AGENT =
  'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/139.0.0.0 Safari/537.36';

export interface RegistrySessionOptions {
  /** Default: $REGISTRY_URL, else https://reyestr.court.gov.ua */
  baseUrl?: string;
  userAgent?: string;
  politeness?: Partial<PolitenessOptions>;
  /** Share one HostPoliteness between sessions on the same host (e.g. a worker running tasks in parallel). */
  hostPoliteness?: HostPoliteness;
  /** 'auto' (default): HTTP, falling back to the browser when a search gets the error page. */
  transport?: TransportName | 'auto';
  /** How the HTTP transport names multi-select values; 'auto' follows the form page. */
  multiSelectNaming?: MultiSelectNaming | 'auto';
  /** Fail a search whose results page does not echo the requested filters (default true). */
  verifyFilters?: boolean;
  chromiumPath?: string;
  /** An already launched browser to use instead of launching one (the caller closes it). */
  browser?: Browser;
  timeoutMs?: number;
  /** Pages larger than this are refused (RegistryError PARSE, reason page-too-large); default 16 MiB. */
  maxPageBytes?: number;
  logger?: Logger;
}

export interface SearchSummary {
  params: SearchParams;
  total: number;
  perPage: number;
  pageCount: number;
  /** More results than the site shows (100,000): the search must be split to be complete. */
  capped: boolean;
  activeFilters: SearchParams;
  firstPage: ResultRow[];
  transport: TransportName;
}

export interface CollectOptions {
  startPage?: number;
  maxDocuments?: number;
}

export interface CollectedRow extends ResultRow {
  page: number;
}

/** A row of the results that names no decision: one document that cannot be downloaded, with the reason. */
export interface CollectedUnreadableRow extends UnreadableRow {
  page: number;
}

export const isUnreadableRow = (row: CollectedRow | CollectedUnreadableRow): row is CollectedUnreadableRow =>
  'reason' in row;

export interface Decision {
  documentId: string;
  url: string;
  metadata: DecisionMetadata;
  html: string;
  text: string;
}

/** Fields whose echo on the results page is reliable (court names / sub-categories are loaded by JS). */
const VERIFIED_FIELDS = SEARCH_FIELDS.filter((field) => !(field.kind === 'multi' && !field.catalogue)).map(
  (field) => field.name,
);

export class RegistrySession {
  readonly baseUrl: string;
  readonly http: RegistryHttpClient;
  readonly politeness: HostPoliteness;
  private transport: SearchTransport;
  private readonly options: RegistrySessionOptions;
  private readonly logger: Logger;
  readonly limits: PageLimits;
  private current: { summary: SearchSummary; firstPage: ResultsPage } | null = null;
  private stopped: RegistryError | null = null;

  private constructor(options: RegistrySessionOptions) {
    this.options = options;
    this.baseUrl = (options.baseUrl ?? process.env.REGISTRY_URL ?? DEFAULT_REGISTRY_URL).replace(/\/+$/, '');
    this.logger = options.logger ?? pino({ level: 'silent' });
    this.politeness = options.hostPoliteness ?? new HostPoliteness(options.politeness);
    this.limits = { ...DEFAULT_PAGE_LIMITS, maxBytes: options.maxPageBytes ?? DEFAULT_PAGE_LIMITS.maxBytes };
    this.http = new RegistryHttpClient({
      baseUrl: this.baseUrl,
      userAgent: this.userAgent,
      politeness: this.politeness,
      timeoutMs: options.timeoutMs,
      maxPageBytes: this.limits.maxBytes,
    });
    this.transport =
      options.transport === 'browser'
        ? this.browserTransport()
        : new HttpSearchTransport(this.http, options.multiSelectNaming);
  }

  static async open(options: RegistrySessionOptions = {}): Promise<RegistrySession> {
    return new RegistrySession(options);
  }

  get userAgent(): string {
    return this.options.userAgent ?? DEFAULT_USER_AGENT;
  }

  get transportName(): TransportName {
    return this.transport.name;
  }

  get stats(): PolitenessStats {
    return { ...this.politeness.stats };
  }

  /** The error that stopped this session, if any: every later call rethrows it without a request. */
  get stopReason(): RegistryError | null {
    return this.stopped;
  }

  private browserTransport(): BrowserSearchTransport {
    return new BrowserSearchTransport({
      baseUrl: this.baseUrl,
      userAgent: this.userAgent,
      politeness: this.politeness,
      jar: this.http.jar,
      executablePath: this.options.chromiumPath,
      browser: this.options.browser,
      timeoutMs: this.options.timeoutMs,
    });
  }

  /** A page we asked for, parsed; the error page and a shown captcha stop the session. */
  private readPage(
    response: { url: string; html?: string },
    page: RegistryPage = namingPage(response.url, () => parsePage(response.html ?? '', this.limits)),
  ): RegistryPage {
    if (page.kind === 'captcha') {
      this.stop(
        new RegistryError(
          'CHALLENGE',
          `the registry showed a captcha at ${response.url} ("${page.prompt}"); stopping, not solving`,
          { reason: 'captcha', url: response.url },
        ),
      );
    }
    if (page.kind === 'error') {
      this.stop(
        new RegistryError(
          'REGISTRY_ERROR',
          `the registry answered ${response.url} with its error page: ${page.title}: ${page.message}`,
          { reason: 'error-page', url: response.url },
        ),
      );
    }
    return page;
  }

  private stop(error: RegistryError): never {
    this.stopped = error;
    this.logger.warn({ err: error.toJSON() }, 'registry session stopped');
    throw error;
  }

  private ensureRunning(): void {
    if (this.stopped) throw this.stopped;
  }

  /** Transport errors that mean "this site session is blocked" stop the session too. */
  private async guarded<T>(work: () => Promise<T>): Promise<T> {
    this.ensureRunning();
    try {
      return await work();
    } catch (error) {
      if (error instanceof RegistryError && error.class === 'CHALLENGE' && !this.stopped) this.stopped = error;
      throw error;
    }
  }

  /** Validates the params (before any request), submits the search and reads results page 1. */
  async search(rawParams: unknown): Promise<SearchSummary> {
    const params = validateSearchParams(rawParams);
    return this.guarded(async () => {
      let response = await this.transport.submitSearch(params);
      let parsed = namingPage(response.url, () => parsePage(response.html, this.limits));
      const mayFallBack = (this.options.transport ?? 'auto') === 'auto' && this.transport.name === 'http';
      if (mayFallBack && parsed.kind === 'error') {
        this.logger.info({ url: response.url }, 'search over HTTP got the error page; repeating it in the browser');
        this.transport = this.browserTransport();
        response = await this.transport.submitSearch(params);
        parsed = namingPage(response.url, () => parsePage(response.html, this.limits));
      }
      const page = this.readPage(response, parsed);
      if (page.kind !== 'results' && page.kind !== 'empty') {
        throw new RegistryError('PARSE', `a search answered with a ${page.kind} page, not results (${response.url})`, {
          reason: 'unexpected-page',
          url: response.url,
        });
      }
      if (this.options.verifyFilters !== false) this.verifyFilters(params, page.activeFilters, response.url);
      const firstPage: ResultsPage =
        page.kind === 'empty'
          ? { ...page, kind: 'results', rows: [], unreadableRows: [], complete: true }
          : page.complete
            ? page
            : await this.wholeResultsPage(1, page);
      const summary: SearchSummary = {
        params,
        total: page.total,
        perPage: page.perPage,
        pageCount: page.pageCount,
        capped: page.capped,
        activeFilters: page.activeFilters,
        firstPage: firstPage.rows,
        transport: this.transport.name,
      };
      this.current = { summary, firstPage };
      this.logger.debug(
        { total: summary.total, pageCount: summary.pageCount, transport: summary.transport },
        'search submitted',
      );
      return summary;
    });
  }

  private verifyFilters(requested: SearchParams, echoed: SearchParams, url: string): void {
    if (Object.keys(echoed).length === 0) return; // a page without the form: nothing to compare
    const differs = VERIFIED_FIELDS.filter(
      (name) => requested[name] !== undefined && JSON.stringify(requested[name]) !== JSON.stringify(echoed[name]),
    );
    if (differs.length > 0) {
      const detail = differs
        .map(
          (name) => `${name}: asked ${JSON.stringify(requested[name])}, shown ${JSON.stringify(echoed[name] ?? null)}`,
        )
        .join('; ');
      throw new RegistryError('REGISTRY_ERROR', `the registry did not apply the search filters (${detail})`, {
        reason: 'filters-not-applied',
        url,
      });
    }
  }

  /** Results page n of the current search (session-bound on the site). */
  async resultsPage(pageNumber: number): Promise<ResultsPage> {
    return this.guarded(async () => {
      if (pageNumber === 1 && this.current) return this.current.firstPage;
      return this.wholeResultsPage(pageNumber);
    });
  }

  /** Results page n, fetched again while it comes cut short (./session-pages.ts). */
  private wholeResultsPage(pageNumber: number, cutShort?: ResultsPage): Promise<ResultsPage> {
    return wholeResultsPage({
      pageNumber,
      cutShort,
      logger: this.logger,
      searchPageCount: this.current ? this.current.summary.pageCount : null,
      fetch: async () => {
        const response = await this.transport.resultsPage(pageNumber);
        return { url: response.url, page: this.readPage(response) };
      },
    });
  }

  /**
   * Rows of the current search from `startPage` on, at most `maxDocuments`, page by page and in table order. A row
   * that names no decision comes as a CollectedUnreadableRow (it takes its place in the count, like any row).
   */
  async *collectRows({
    startPage = 1,
    maxDocuments = Infinity,
  }: CollectOptions = {}): AsyncGenerator<CollectedRow | CollectedUnreadableRow> {
    let collected = 0;
    for (let pageNumber = startPage; collected < maxDocuments; pageNumber++) {
      if (this.current && pageNumber > this.current.summary.pageCount) return;
      const page = await this.resultsPage(pageNumber);
      const rows = rowsInTableOrder(page);
      for (const row of rows) {
        if (collected >= maxDocuments) return;
        collected++;
        yield { ...row, page: pageNumber };
      }
      if (rows.length === 0) return;
    }
  }

  /** `/Review/<id>` over plain HTTP (with the browser's cookies when the browser searched). */
  async fetchDecision(documentId: string): Promise<Decision> {
    if (!/^\d+$/.test(documentId))
      throw new RegistryError('PARSE', `"${documentId}" is not a registry document id`, { reason: 'bad-document-id' });
    return this.guarded(async () => {
      const response = await this.http.getBytes(`/Review/${documentId}`);
      const page = this.readPage(
        response,
        parsePageBytes(response.bytes, { charset: response.charset, limits: this.limits, url: response.url }),
      );
      if (page.kind !== 'review') {
        throw new RegistryError('PARSE', `/Review/${documentId} is a ${page.kind} page, not a decision`, {
          reason: 'unexpected-page',
          url: response.url,
        });
      }
      if (!page.html)
        throw new RegistryError('PARSE', `/Review/${documentId} has no decision text (#txtdepository)`, {
          reason: 'no-decision-text',
          url: response.url,
        });
      return { documentId, url: response.url, metadata: page.metadata, html: page.html, text: page.text };
    });
  }

  async close(): Promise<void> {
    await this.transport.close();
  }
}
