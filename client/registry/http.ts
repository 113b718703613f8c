/**
 * Plain HTTP to the registry: Node's fetch with a cookie jar (the site binds result pages to its
 * session cookie), browser-like headers, a timeout, manual redirects (so every Set-Cookie on the way
 * lands in the jar), and every exchange sent through the host's politeness.
 */
import { CookieJar } from 'tough-cookie';
import { RegistryError, isRegistryError } from '../rules/index.ts';
import { type HostPoliteness, errorForStatus } from './politeness.ts';

export interface RegistryResponse {
  url: string;
  status: number;
  html: string;
}

export interface RegistryHttpOptions {
  baseUrl: string;
  userAgent: string;
  politeness: HostPoliteness;
  jar?: CookieJar;
  timeoutMs?: number;
}

const MAX_REDIRECTS = 5;

export class RegistryHttpClient {
  readonly jar: CookieJar;
  readonly baseUrl: string;
  private readonly userAgent: string;
  private readonly politeness: HostPoliteness;
  private readonly timeoutMs: number;

  constructor(options: RegistryHttpOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.userAgent = options.userAgent;
    this.politeness = options.politeness;
    this.jar = options.jar ?? new CookieJar();
    this.timeoutMs = options.timeoutMs ?? 60_000;
  }

  get(path: string): Promise<RegistryResponse> {
    return this.politeness.run(() => this.exchange('GET', this.urlOf(path)));
  }

  /** A form submission, as the site's own form sends it (urlencoded, Referer/Origin of the form page). */
  postForm(path: string, body: URLSearchParams): Promise<RegistryResponse> {
    return this.politeness.run(() => this.exchange('POST', this.urlOf(path), body));
  }

  urlOf(path: string): string {
    return new URL(path, `${this.baseUrl}/`).toString();
  }

  private headers(url: string, hasBody: boolean): Record<string, string> {
    const headers: Record<string, string> = {
      'User-Agent': this.userAgent,
      Accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8',
      'Accept-Language': 'uk-UA,uk;q=0.9,en-US;q=0.6,en;q=0.5',
      Referer: `${this.baseUrl}/`,
    };
    const cookie = this.jar.getCookieStringSync(url);
    if (cookie) headers.Cookie = cookie;
    if (hasBody) {
      headers['Content-Type'] = 'application/x-www-form-urlencoded';
      headers.Origin = this.baseUrl;
    }
    return headers;
  }

  /** One request (plus its redirects): a page, or a RegistryError the politeness layer can act on. */
  private async exchange(method: 'GET' | 'POST', url: string, body?: URLSearchParams): Promise<RegistryResponse> {
    let currentUrl = url;
    let currentMethod = method;
    let currentBody = body;
    for (let redirects = 0; ; redirects++) {
      let response: Response;
      try {
        response = await fetch(currentUrl, {
          method: currentMethod,
          headers: this.headers(currentUrl, currentBody !== undefined),
          body: currentBody?.toString(),
          redirect: 'manual',
          signal: AbortSignal.timeout(this.timeoutMs),
        });
      } catch (error) {
        throw new RegistryError('NETWORK', `${currentMethod} ${currentUrl} failed: ${describeFetchError(error)}`, {
          reason: 'fetch-failed',
          url: currentUrl,
          cause: error,
        });
      }
      for (const cookie of response.headers.getSetCookie())
        this.jar.setCookieSync(cookie, currentUrl, { ignoreError: true });
      const location = response.headers.get('location');
      if (response.status >= 300 && response.status < 400 && location) {
        await response.body?.cancel();
        if (redirects >= MAX_REDIRECTS)
          throw new RegistryError('REGISTRY_ERROR', `too many redirects from ${url}`, { reason: 'redirect-loop', url });
        currentUrl = new URL(location, currentUrl).toString();
        currentMethod = 'GET';
        currentBody = undefined;
        continue;
      }
      const failure = errorForStatus(response.status, currentUrl, response.headers.get('retry-after'));
      if (failure) {
        await response.body?.cancel();
        throw failure;
      }
      try {
        return { url: currentUrl, status: response.status, html: await response.text() };
      } catch (error) {
        if (isRegistryError(error)) throw error;
        throw new RegistryError('NETWORK', `reading ${currentUrl} failed: ${describeFetchError(error)}`, {
          reason: 'body-failed',
          url: currentUrl,
          cause: error,
        });
      }
    }
  }
}

/** undici hides the useful part ("other side closed", ECONNREFUSED) in `cause`. */
function describeFetchError(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } })?.cause;
  const base = error instanceof Error ? error.message : String(error);
  return cause ? `${base} (${cause.code ?? cause.message ?? 'unknown cause'})` : base;
}
