/**
 * PHONEBRIDGE_WEBHOOK_RATE: at most this many deliveries per tenant in any
 * one-second window. Triggers are cheap to call in a loop, and every one makes
 * the mock send a request somewhere; the limit keeps a script (or anyone able
 * to reach the control plane) from turning the mock into a request storm.
 * Real time, not the tenant's clock: moving a tenant's clock must not refill it.
 */
export class DeliveryRate {
  /** Start times of each tenant's deliveries within the last second, oldest first. */
  private readonly sent = new Map<string, number[]>();

  constructor(
    readonly perSecond: number,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** Takes a slot for one delivery of the tenant; answers how many ms until one frees instead when none is left. */
  take(tenantId: string): { allowed: true } | { allowed: false; retryAfterMs: number } {
    const now = this.now();
    const recent = (this.sent.get(tenantId) ?? []).filter((at) => now - at < 1000);
    this.sent.set(tenantId, recent);
    if (recent.length >= this.perSecond) return { allowed: false, retryAfterMs: Math.max(1, Math.ceil(recent[0]! + 1000 - now)) };
    recent.push(now);
    return { allowed: true };
  }

  /** Drops a removed tenant's window. */
  forget(tenantId: string): void {
    this.sent.delete(tenantId);
  }
}
