/**
 * Fault injection: which fault (if any) touches a request. Faults are tried in
 * the order they were added; each may be limited to `times` requests, and
 * touches a matching request with `probability`, drawn from a generator seeded
 * with its `seed` (the n-th matching request always draws the same number, so
 * a run repeats).
 */
import type { Fault, Tenant } from '../store/schema.js';

export interface FaultTarget {
  /** The document that owns the path: 'phonebridge', 'accounts', 'admin'. */
  api: string;
  /** The operation routed to; undefined for a path no operation has. */
  operationId: string | undefined;
  method: string;
  path: string;
}

/** The n-th number in [0, 1) of the sequence seeded with `seed` (mulberry32 of seed and n: stateless, so it survives a restart). */
export function draw(seed: number, n: number): number {
  let t = (seed ^ Math.imul(n + 1, 0x9e3779b9)) >>> 0;
  t = (t + 0x6d2b79f5) >>> 0;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}

const normalize = (path: string) => path.replace(/\/+$/, '') || '/';

function matches({ match }: Fault, target: FaultTarget): boolean {
  if (match.operationId !== undefined) return match.operationId === target.operationId;
  if (match.method !== undefined && match.method.toUpperCase() !== target.method.toUpperCase()) return false;
  if (match.path !== undefined) return normalize(match.path) === normalize(target.path);
  // Neither an operation nor a path: every PhoneBridge operation.
  return match.method !== undefined || (target.api.startsWith('phonebridge') && target.operationId !== undefined);
}

const exhausted = (fault: Fault) => fault.times !== null && fault.hits >= fault.times;

/** The fault that touches this request, counted as a hit; undefined when none does. */
export function pickFault(tenant: Tenant, target: FaultTarget): Fault | undefined {
  for (const fault of tenant.faults) {
    if (exhausted(fault) || !matches(fault, target)) continue;
    const n = fault.seen++;
    if (fault.probability < 1 && draw(fault.seed, n) >= fault.probability) continue;
    fault.hits++;
    return fault;
  }
  return undefined;
}

/** A fault as the control plane lists it. */
export function faultView(fault: Fault) {
  return { ...fault, remaining: fault.times === null ? null : Math.max(0, fault.times - fault.hits) };
}
