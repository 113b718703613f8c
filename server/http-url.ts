/** `value` as a URL when it is an http(s):// one, else null (the alert webhook and the document store's endpoint). */
export function httpUrl(value: string): URL | null {
  try {
    const url = new URL(value);
    return ['http:', 'https:'].includes(url.protocol) ? url : null;
  } catch {
    return null;
  }
}
