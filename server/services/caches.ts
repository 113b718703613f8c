// Short-lived caches in the service layer register here, so a gate that starts (possibly on another database
// than the last one in this process, as tests do) begins with all of them empty.
const clearers: Array<() => void> = [];

export function registerCache<T extends { clear(): void }>(cache: T): T {
  clearers.push(() => cache.clear());
  return cache;
}

export function clearServiceCaches(): void {
  for (const clear of clearers) clear();
}
