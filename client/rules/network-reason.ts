/**
 * What went wrong with a request that got no HTTP answer, in words that say what was tried: fetch's own
 * "fetch failed" says nothing, the reason is in its cause (ECONNREFUSED 127.0.0.1:8000, a DNS failure, a timeout).
 * Shared by the gate client and the registry client, so both say it the same way.
 */
export function networkReason(error: unknown, timeoutMs?: number): string {
  if (!(error instanceof Error)) return String(error);
  if (error.name === 'TimeoutError')
    return timeoutMs ? `no answer in ${Math.round(timeoutMs / 1000)} s` : 'no answer in time';
  const cause = error.cause as (Error & { code?: string; errors?: Error[] }) | undefined;
  if (!cause) return error.message;
  if (cause.code === 'ECONNREFUSED') {
    // `localhost` may be tried as ::1 and 127.0.0.1: then the cause is an AggregateError of both.
    const tried = (cause.errors ?? [cause]).map((e) => {
      const { address, port } = e as { address?: string; port?: number };
      return address ? `${address.includes(':') ? `[${address}]` : address}:${port}` : e.message;
    });
    return `connection refused (tried ${tried.join(', ')})`;
  }
  if (cause.code === 'ENOTFOUND' || cause.code === 'EAI_AGAIN') return `host not found (${cause.message})`;
  if (cause.name === 'ConnectTimeoutError' || cause.code === 'UND_ERR_CONNECT_TIMEOUT') return 'connection timed out';
  return cause.message || error.message;
}
