/**
 * Zoho's API limits, per org, when a tenant turns them on: requests in flight
 * at once (concurrency) and requests over a rolling window (credits). Beyond
 * either, 429 TOO_MANY_REQUESTS. Use is kept in memory; the window follows the
 * tenant's clock.
 */
import type { Limits, Org } from '../store/schema.js';

/** Zoho's figures by edition (Kaizen #203; api-limits): concurrency, base credits per 24 h, credits added per user. */
export const EDITIONS = {
  free: { concurrency: 5, credits: 5_000, perUser: 0 },
  standard: { concurrency: 10, credits: 50_000, perUser: 250 },
  professional: { concurrency: 15, credits: 50_000, perUser: 500 },
  enterprise: { concurrency: 20, credits: 50_000, perUser: 1_000 },
  ultimate: { concurrency: 25, credits: 50_000, perUser: 2_000 },
} as const;

export type Edition = keyof typeof EDITIONS;

/** Credits are counted in buckets of this many ms: a rolling window to the bucket. */
const BUCKET_MS = 1000;

interface Use {
  inFlight: number;
  /** Requests per bucket (time / BUCKET_MS), oldest first. */
  buckets: Map<number, number>;
}

export type Admission = { admitted: true; release: () => void } | { admitted: false; limit: 'concurrency' | 'credits' };

/** The credits an org gets: the limit's own figure, or its edition's for the org's active users. */
export function creditsOf(limits: Limits, org: Org): number | null {
  if (limits.credits !== null || limits.edition === null) return limits.credits;
  const edition = EDITIONS[limits.edition as Edition];
  return edition.credits + edition.perUser * org.users.filter((u) => u.active).length;
}

export class Limiter {
  private readonly uses = new Map<string, Use>();

  private use(tenantId: string, orgId: string): Use {
    const key = `${tenantId}/${orgId}`;
    let use = this.uses.get(key);
    if (!use) this.uses.set(key, (use = { inFlight: 0, buckets: new Map() }));
    return use;
  }

  /** Admits a request of the org at `now`, or says which limit refuses it. */
  admit(tenantId: string, org: Org, limits: Limits, now: Date): Admission {
    const use = this.use(tenantId, org.id);
    if (limits.concurrency !== null && use.inFlight >= limits.concurrency) return { admitted: false, limit: 'concurrency' };
    const credits = creditsOf(limits, org);
    if (credits !== null) {
      const bucket = Math.floor(now.getTime() / BUCKET_MS);
      const oldest = bucket - Math.ceil((limits.windowSeconds * 1000) / BUCKET_MS) + 1;
      let used = 0;
      for (const [at, count] of use.buckets) {
        if (at < oldest) use.buckets.delete(at);
        else used += count;
      }
      if (used >= credits) return { admitted: false, limit: 'credits' };
      use.buckets.set(bucket, (use.buckets.get(bucket) ?? 0) + 1);
    }
    use.inFlight++;
    let released = false;
    return {
      admitted: true,
      release: () => {
        if (!released) use.inFlight--;
        released = true;
      },
    };
  }

  /** What an org has used: requests in flight, and credits within the window at `now`. */
  usage(tenantId: string, orgId: string, limits: Limits, now: Date): { inFlight: number; creditsUsed: number } {
    const use = this.uses.get(`${tenantId}/${orgId}`);
    if (!use) return { inFlight: 0, creditsUsed: 0 };
    const oldest = Math.floor(now.getTime() / BUCKET_MS) - Math.ceil((limits.windowSeconds * 1000) / BUCKET_MS) + 1;
    let creditsUsed = 0;
    for (const [at, count] of use.buckets) if (at >= oldest) creditsUsed += count;
    return { inFlight: use.inFlight, creditsUsed };
  }

  /** Forgets a tenant's use (its limits were removed, or it was). */
  forget(tenantId: string): void {
    for (const key of this.uses.keys()) if (key.startsWith(`${tenantId}/`)) this.uses.delete(key);
  }
}
