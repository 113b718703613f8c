/**
 * Pages the fake registry can serve damaged, the way pages from the wild come: a results page cut off mid-table
 * (a connection that closed early, a proxy that gave up), a results row without its `/Review/<id>` link, a decision
 * page of many megabytes, a page in windows-1251.
 */
import iconv from 'iconv-lite';

/** A results page cut off inside row `row` (1-based), right after its judge cell opens: the last row is partial. */
export function truncateResults(html: string, row = 2): string {
  let at = html.indexOf('id="tableresult"');
  for (let seen = 0; at !== -1 && seen < row; seen++) at = html.indexOf('class="ChairmenName', at + 1);
  if (at === -1) return html.slice(0, Math.floor(html.length / 2));
  return html.slice(0, html.indexOf('>', at) + 1);
}

/** Row `row` (1-based) of a results page without its `/Review/<id>` link (the number stays as plain text). */
export function dropReviewLink(html: string, row = 1): string {
  let at = html.indexOf('id="tableresult"');
  for (let seen = 0; at !== -1 && seen < row; seen++) at = html.indexOf('href="/Review/', at + 1);
  if (at === -1) return html;
  const end = html.indexOf('"', at + 'href="'.length);
  return `${html.slice(0, at)}href="#"${html.slice(end + 1)}`;
}

const PARAGRAPH =
  '&lt;p align=&quot;justify&quot;&gt;&lt;span style=&quot;font-size:12pt&quot;&gt;&lt;span&gt;Позивач звернувся до суду з позовом про стягнення заборгованості за договором.&lt;/span&gt;&lt;/span&gt;&lt;/p&gt;\n';

/** A decision page grown to about `sizeBytes` (UTF-8) by paragraphs of nested spans, as converted decisions are. */
export function inflateDecision(html: string, sizeBytes: number): string {
  const count = Math.max(0, Math.ceil((sizeBytes - Buffer.byteLength(html)) / Buffer.byteLength(PARAGRAPH)));
  const end = html.lastIndexOf('&lt;/body&gt;');
  if (end === -1) return html;
  return `${html.slice(0, end)}${PARAGRAPH.repeat(count)}${html.slice(end)}`;
}

/**
 * The page in windows-1251, as older Ukrainian sites serve theirs. `declare`: where it says so — the Content-Type
 * header, a `<meta charset>`, or nowhere (then only the bytes tell).
 */
export function inWindows1251(
  html: string,
  declare: 'header' | 'meta' | 'none',
): { body: Buffer; contentType: string } {
  const withoutMeta = html.replace(/<meta[^>]*charset[^>]*>/gi, '');
  const text = declare === 'meta' ? withoutMeta.replace(/<head>/i, '<head><meta charset="windows-1251">') : withoutMeta;
  return {
    body: iconv.encode(text, 'windows-1251'),
    contentType: declare === 'header' ? 'text/html; charset=windows-1251' : 'text/html',
  };
}
