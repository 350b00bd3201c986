/**
 * Records keyed by what clients send (call reference ids, tokens, client ids)
 * have no prototype: a key such as `__proto__` or `constructor` is then an
 * ordinary key, never Object.prototype's, so no request can reach or replace it.
 */
export function dict<T>(entries: Record<string, T> = {}): Record<string, T> {
  return Object.assign(Object.create(null) as Record<string, T>, entries);
}
