/**
 * The gate every request passes before its API handles it: the tenant's
 * API limits (429 TOO_MANY_REQUESTS), then its faults (a delay, a documented
 * status answered as `Prefer: code=` would, a dropped connection). What the
 * gate decides never runs a handler, so an injected error changes nothing.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { ApiRequest, ApiResponse } from '../openapi/types.js';
import type { Fault } from '../store/schema.js';
import type { Tenants } from '../tenants/registry.js';
import { zohoToken } from '../zoho/auth.js';
import { errorResponse } from '../zoho/errors.js';
import { pickFault } from './faults.js';
import type { Limiter } from './limits.js';

export interface GateInput {
  request: ApiRequest;
  /** The document owning the path. */
  api: string;
  operationId: string | undefined;
}

export interface GateOutcome {
  tenantId: string;
  /** The fault that touched the request, if any. */
  fault?: Fault;
  /** Answer this at once (a limit reached). */
  refusal?: ApiResponse;
  /** Answer this documented status with its example, as `Prefer: code=` does. */
  status?: number;
  /** Answer nothing. */
  drop?: NonNullable<Fault['effect']['drop']>;
  /** Call once the request is answered: it leaves the org's requests in flight. */
  release(): void;
}

const NOTHING = () => {};

/** `changed`: told when a tenant's fault counts move, so they are saved. */
export function createGate(tenants: Tenants, limiter: Limiter, changed: (tenantId: string) => void) {
  return async ({ request, api, operationId }: GateInput): Promise<GateOutcome> => {
    if (api === 'admin') return { tenantId: '', release: NOTHING }; // the control plane is never limited nor faulted
    const tenant = tenants.ofRequest(request);
    let release = NOTHING;
    // Zoho counts an org's API calls: only PhoneBridge operations, with a token of the tenant's org.
    const token = zohoToken(request.headers);
    const org = token && tenant.limits && api.startsWith('phonebridge') && operationId ? tenant.orgs[tenant.tokens[token]?.orgId ?? ''] : undefined;
    if (org && tenant.limits) {
      const admission = limiter.admit(tenant.id, org, tenant.limits, tenants.now(tenant));
      if (!admission.admitted) {
        const refusal = errorResponse('TOO_MANY_REQUESTS', { subject: admission.limit });
        return { tenantId: tenant.id, refusal, release: NOTHING };
      }
      release = admission.release;
    }
    const fault = tenant.faults.length ? pickFault(tenant, { api, operationId, method: request.method, path: request.path }) : undefined;
    if (tenant.faults.length) changed(tenant.id);
    if (!fault) return { tenantId: tenant.id, release };
    if (fault.effect.delayMs) await sleep(fault.effect.delayMs);
    return { tenantId: tenant.id, fault, status: fault.effect.status, drop: fault.effect.drop, release };
  };
}

export type Gate = ReturnType<typeof createGate>;
