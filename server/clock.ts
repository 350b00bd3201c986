/**
 * Where the mock gets the time. Handlers get `now` from it once per request;
 * nothing else calls `new Date()` for the mock's own time, so a settable clock
 * (tests today, per-tenant clock control next) moves everything at once.
 */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

/** A clock that stands still until set or advanced. */
export function settableClock(start: string | Date = new Date()): Clock & { set(to: string | Date): void; advance(ms: number): void } {
  let current = new Date(start).getTime();
  return {
    now: () => new Date(current),
    set: (to) => void (current = new Date(to).getTime()),
    advance: (ms) => void (current += ms),
  };
}
