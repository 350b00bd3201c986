/**
 * Where Zoho's PhoneBridge v3 documents and its live API disagree
 * (openapi/phonebridge-v3.yaml, "Profiles"): what each tenant's profile
 * decides, read by the v3 handlers and by the journal's hints alike.
 */
import type { Profile, Tenant } from '../store/schema.js';

export const profileOf = (tenant: Pick<Tenant, 'profile'>): Profile => tenant.profile ?? 'documented';

/** The outgoing states Zoho documents for a call nobody answered. */
export const UNATTENDED = ['busy', 'invalid', 'blocked', 'notavailable', 'noanswer', 'rejected'] as const;

/** A `callnotify` state Zoho documents but its live API refuses: an incoming `missed`, an unattended outgoing state. */
export function refusedLive(type: unknown, state: unknown): boolean {
  return (type === 'received' && state === 'missed') || (type === 'dialed' && (UNATTENDED as readonly unknown[]).includes(state));
}
