/**
 * From bytes to text: a page is decoded by the charset it declares — the Content-Type header, a byte-order mark or
 * `<meta charset>` (the HTML standard's sniffing, by encoding-sniffer) — and a page that declares nothing must be
 * valid UTF-8: anything else is refused as "not UTF-8" rather than turned into mojibake (a windows-1251 page read as
 * UTF-8 comes out garbled without a word).
 *
 * A decision page is decoded in two parts: the page around the decision, and the decision's escaped HTML inside
 * `<textarea id="txtdepository">`, which can be megabytes. The latter is decoded a chunk at a time straight from the
 * bytes, so the whole page never exists as one string (an 8 MB page of Cyrillic text is a 14 MB string).
 */
import { isUtf8 } from 'node:buffer';
import { getEncoding } from 'encoding-sniffer';
import iconv from 'iconv-lite';
import { RegistryError } from '../../rules/index.ts';
import { DECISION_TEXTAREA } from './decision.ts';

/** `text/html; charset=windows-1251` → `windows-1251` */
export function charsetOfContentType(contentType: string | null | undefined): string | undefined {
  return /;\s*charset\s*=\s*"?([^";\s]+)/i.exec(contentType ?? '')?.[1];
}

/** The encoding a page's bytes are in (a WHATWG name, e.g. `UTF-8`, `windows-1251`); RegistryError PARSE when a page that is meant to be UTF-8 is not. */
export function pageEncoding(bytes: Buffer, transportCharset?: string, url?: string): string {
  const encoding = getEncoding(bytes, { transportLayerEncodingLabel: transportCharset, defaultEncoding: 'UTF-8' });
  if (encoding === 'UTF-8' && !isUtf8(bytes)) {
    const declared = transportCharset ? `declares ${transportCharset}` : 'declares no charset';
    throw new RegistryError(
      'PARSE',
      `${url ?? 'the page'} is not UTF-8: it ${declared} and is not valid UTF-8 (a windows-1251 page must say so in its Content-Type or <meta charset>)`,
      { reason: 'not-utf8', url },
    );
  }
  return encoding;
}

/** Encodings in which `&`, `<`, `>`, whitespace and the tag names are their ASCII bytes, never part of another character. */
function asciiCompatible(encoding: string): boolean {
  return !/^(UTF-16|ISO-2022|replacement)/i.test(encoding);
}

/** `whole`: the bytes are a whole page (a byte-order mark at its start is not text). */
export function decodeBytes(bytes: Buffer, encoding: string, whole = true): string {
  if (encoding !== 'UTF-8') return iconv.decode(bytes, encoding, { stripBOM: whole });
  const text = bytes.toString('utf8');
  return whole && text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

const TEXTAREA_ID = Buffer.from('txtdepository');
const CLOSING = Buffer.from('</');

/** Byte range of the decision textarea's content (`start` after its opening tag, `end` at `</textarea`), or null. */
export function findDecisionBytes(bytes: Buffer, encoding: string): { start: number; end: number } | null {
  if (!asciiCompatible(encoding)) return null;
  for (let at = bytes.indexOf(TEXTAREA_ID); at !== -1; at = bytes.indexOf(TEXTAREA_ID, at + TEXTAREA_ID.length)) {
    const tagStart = bytes.lastIndexOf('<', at);
    const tagEnd = bytes.indexOf('>', at);
    if (tagStart === -1 || tagEnd === -1) continue;
    const tag = bytes.toString('latin1', tagStart, tagEnd + 1);
    if (DECISION_TEXTAREA.exec(tag)?.index !== 0) continue;
    const start = tagEnd + 1;
    for (let close = bytes.indexOf(CLOSING, start); close !== -1; close = bytes.indexOf(CLOSING, close + 2)) {
      if (bytes.toString('latin1', close + 2, close + 10).toLowerCase() === 'textarea') return { start, end: close };
    }
    return { start, end: bytes.length };
  }
  return null;
}

const CHUNK_BYTES = 1 << 20;
const AMPERSAND = 0x26;
const isAsciiWhitespace = (byte: number) => byte === 0x20 || (byte >= 0x09 && byte <= 0x0d);

/**
 * The first position at or after `from` where the bytes may be cut: before a `&` or at ASCII whitespace. A character
 * reference never contains either (so none is cut in two), and neither byte is ever part of a multi-byte character.
 */
function cutAt(bytes: Buffer, from: number, end: number): number {
  for (let at = from; at < end; at++) if (bytes[at] === AMPERSAND || isAsciiWhitespace(bytes[at])) return at;
  return end;
}

/** Decodes `bytes[start, end)` a chunk at a time, each chunk's text passed through `transform`; one flat string. */
export function decodeInChunks(
  bytes: Buffer,
  range: { start: number; end: number },
  encoding: string,
  transform: (text: string) => string,
): string {
  const parts: string[] = [];
  for (let from = range.start; from < range.end; ) {
    const to = from + CHUNK_BYTES >= range.end ? range.end : cutAt(bytes, from + CHUNK_BYTES, range.end);
    parts.push(transform(decodeBytes(bytes.subarray(from, to), encoding, false)));
    from = to;
  }
  return parts.join('');
}
