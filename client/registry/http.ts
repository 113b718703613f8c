/**
 * Plain HTTP to the registry: Node's fetch with a cookie jar (the site binds result pages to its
 * session cookie), browser-like headers, a timeout, manual redirects (so every Set-Cookie on the way
 * lands in the jar), and every exchange sent through the host's politeness. A body is read only up to
 * the page size limit (a larger page is refused, never held in memory) and decoded by its charset.
 */
import { CookieJar } from 'tough-cookie';
import { RegistryError, isRegistryError, networkReason } from '../rules/index.ts';
import { DEFAULT_PAGE_LIMITS, pageTooLarge } from './parsers/bounds.ts';
import { charsetOfContentType, decodeBytes, pageEncoding } from './parsers/encoding.ts';
import { type HostPoliteness, errorForStatus } from './politeness.ts';

export interface RegistryResponse {
  url: string;
  status: number;
  html: string;
}

/** A response as it came: the body's bytes and the charset its Content-Type names. */
export interface RegistryBytesResponse {
  url: string;
  status: number;
  bytes: Buffer;
  charset?: string;
}

export interface RegistryHttpOptions {
  baseUrl: string;
  userAgent: string;
  politeness: HostPoliteness;
  jar?: CookieJar;
  timeoutMs?: number;
  /** Bodies over this many bytes are refused (RegistryError PARSE, reason page-too-large). */
  maxPageBytes?: number;
}

/** A page's text, decoded by its declared (or sniffed) charset. */
export function decodeResponse(response: RegistryBytesResponse): RegistryResponse {
  const text = decodeBytes(response.bytes, pageEncoding(response.bytes, response.charset, response.url));
  return { url: response.url, status: response.status, html: text };
}

const MAX_REDIRECTS = 5;

export class RegistryHttpClient {
  readonly jar: CookieJar;
  readonly baseUrl: string;
  private readonly userAgent: string;
  private readonly politeness: HostPoliteness;
  private readonly timeoutMs: number;
  readonly maxPageBytes: number;

  constructor(options: RegistryHttpOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.userAgent = options.userAgent;
    this.politeness = options.politeness;
    this.jar = options.jar ?? new CookieJar();
    this.timeoutMs = options.timeoutMs ?? 60_000;
    this.maxPageBytes = options.maxPageBytes ?? DEFAULT_PAGE_LIMITS.maxBytes;
  }

  async get(path: string): Promise<RegistryResponse> {
    return decodeResponse(await this.getBytes(path));
  }

  /** The body undecoded: for a decision page, which is decoded in parts (see parsers/encoding.ts). */
  getBytes(path: string): Promise<RegistryBytesResponse> {
    return this.politeness.run(() => this.exchange('GET', this.urlOf(path)));
  }

  /** A form submission, as the site's own form sends it (urlencoded, Referer/Origin of the form page). */
  async postForm(path: string, body: URLSearchParams): Promise<RegistryResponse> {
    return decodeResponse(await this.politeness.run(() => this.exchange('POST', this.urlOf(path), body)));
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
  private async exchange(method: 'GET' | 'POST', url: string, body?: URLSearchParams): Promise<RegistryBytesResponse> {
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
        throw new RegistryError(
          'NETWORK',
          `${currentMethod} ${currentUrl} failed: ${networkReason(error, this.timeoutMs)}`,
          {
            reason: 'fetch-failed',
            url: currentUrl,
            cause: error,
          },
        );
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
        const bytes = await this.readBody(response, currentUrl);
        const charset = charsetOfContentType(response.headers.get('content-type'));
        return { url: currentUrl, status: response.status, bytes, charset };
      } catch (error) {
        if (isRegistryError(error)) throw error;
        throw new RegistryError('NETWORK', `reading ${currentUrl} failed: ${networkReason(error, this.timeoutMs)}`, {
          reason: 'body-failed',
          url: currentUrl,
          cause: error,
        });
      }
    }
  }

  /** The body, read no further than the page size limit. */
  private async readBody(response: Response, url: string): Promise<Buffer> {
    const limit = this.maxPageBytes;
    const declared = Number(response.headers.get('content-length') ?? Number.NaN);
    if (declared > limit) {
      await response.body?.cancel();
      throw pageTooLarge(declared, limit, url);
    }
    const chunks: Uint8Array[] = [];
    let size = 0;
    const reader = response.body?.getReader();
    for (;;) {
      const next = await reader?.read();
      if (!next || next.done) break;
      size += next.value.byteLength;
      if (size > limit) {
        await reader!.cancel().catch(() => {});
        throw pageTooLarge(size, limit, url, true);
      }
      chunks.push(next.value);
    }
    return Buffer.concat(chunks, size);
  }
}
