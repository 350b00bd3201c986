/** The control plane's bad day, per tenant: faults, the clock, and Zoho's API limits. */
import { parse as parseDuration, toSeconds } from 'iso8601-duration';
import type { Clock } from '../clock.js';
import { faultView } from '../controls/faults.js';
import { creditsOf, EDITIONS, type Limiter } from '../controls/limits.js';
import type { HandlersOf } from '../openapi/types.js';
import type { Fault, Tenant } from '../store/schema.js';
import type { Tenants } from '../tenants/registry.js';
import { fail } from '../zoho/errors.js';
import type { operations } from './document.gen.js';

type BadDayOperations = Pick<
  operations,
  'listFaults' | 'addFault' | 'deleteFault' | 'clearFaults' | 'getClock' | 'setClock' | 'resetClock' | 'getLimits' | 'setLimits' | 'clearLimits'
>;

/** What the control plane knows of the documents faults may target. */
export interface FaultTargets {
  /** The statuses an operation documents; empty for an operation no document has. */
  statusesOf(operationId: string): number[];
  /** The PhoneBridge operations: what a fault naming no operation touches. */
  phonebridgeOperations: readonly string[];
}

export interface BadDayDeps {
  tenants: Tenants;
  limiter: Limiter;
  targets: FaultTargets;
  /** The real clock every tenant's clock is an offset of. */
  clock: Clock;
}

/** `3601`, `-60`, `PT1H1S` -> seconds; a malformed value is 400 INVALID_DATA. */
function seconds(advance: string, from: Date): number {
  if (/^-?\d+(\.\d+)?$/.test(advance)) return Number(advance);
  try {
    return toSeconds(parseDuration(advance), from);
  } catch {
    return fail('INVALID_DATA', { param: 'advance' });
  }
}

export function badDayHandlers({ tenants, limiter, targets, clock }: BadDayDeps): HandlersOf<BadDayOperations, undefined, Tenant> {
  const clockNow = (db: Tenant) => ({ status: 200, body: { now: tenants.now(db).toISOString(), offsetSeconds: db.clockOffsetMs / 1000 } });

  const limitsNow = (db: Tenant) => {
    const { limits } = db;
    const orgs = limits
      ? Object.values(db.orgs).map((org) => ({ orgId: org.id, ...limiter.usage(db.id, org.id, limits, tenants.now(db)), credits: creditsOf(limits, org) }))
      : [];
    return { status: 200, body: { limits, orgs } };
  };

  return {
    listFaults: ({ db }) => ({ status: 200, body: { faults: db.faults.map(faultView) } }),

    addFault: ({ params, db, now }) => {
      const { operationId, method, path, status, delayMs, drop, times, probability = 1, seed = 1 } = params;
      if (status === undefined && delayMs === undefined && drop === undefined) fail('REQUIRED_PARAM_MISSING', { param: 'status' });
      if (drop !== undefined && status !== undefined) fail('INVALID_DATA', { param: 'drop' });
      if (operationId !== undefined && targets.statusesOf(operationId).length === 0) fail('INVALID_DATA', { param: 'operationId' });
      if (status !== undefined) {
        // Only what the document says the operation can answer: every operation the fault may touch.
        const touched = operationId !== undefined ? [operationId] : targets.phonebridgeOperations;
        if (!touched.every((id) => targets.statusesOf(id).includes(status))) fail('INVALID_DATA', { param: 'status' });
      }
      const fault: Fault = {
        id: String(db.nextFaultId++),
        match: {
          ...(operationId !== undefined && { operationId }),
          ...(method !== undefined && { method: method.toUpperCase() }),
          ...(path !== undefined && { path }),
        },
        effect: { ...(status !== undefined && { status }), ...(delayMs !== undefined && { delayMs }), ...(drop !== undefined && { drop }) },
        times: times ?? null,
        probability,
        seed,
        hits: 0,
        seen: 0,
        createdAt: now.toISOString(),
      };
      db.faults.push(fault);
      return { status: 201, body: faultView(fault) };
    },

    deleteFault: ({ params, db }) => {
      const index = db.faults.findIndex((f) => f.id === params.id);
      if (index < 0) fail('NOT_IN_JOURNAL', { subject: `No fault ${params.id} in tenant ${db.id}` });
      db.faults.splice(index, 1);
      return { status: 204 };
    },

    clearFaults: ({ db }) => {
      db.faults = [];
      return { status: 200, body: { faults: [] } };
    },

    getClock: ({ db }) => clockNow(db),

    setClock: ({ params, db, now }) => {
      if ((params.advance === undefined) === (params.set === undefined))
        fail(params.advance === undefined ? 'REQUIRED_PARAM_MISSING' : 'INVALID_DATA', { param: 'advance' });
      if (params.set !== undefined) db.clockOffsetMs = Date.parse(params.set) - clock.now().getTime();
      else db.clockOffsetMs += Math.round(seconds(params.advance!, now) * 1000);
      return clockNow(db);
    },

    resetClock: ({ db }) => {
      db.clockOffsetMs = 0;
      return clockNow(db);
    },

    getLimits: ({ db }) => limitsNow(db),

    setLimits: ({ params, db }) => {
      const { edition, concurrency, credits, windowSeconds = 86_400 } = params;
      if (edition === undefined && concurrency === undefined && credits === undefined) fail('REQUIRED_PARAM_MISSING', { param: 'edition' });
      db.limits = {
        concurrency: concurrency ?? (edition ? EDITIONS[edition].concurrency : null),
        credits: credits ?? null,
        windowSeconds,
        edition: edition ?? null,
      };
      return limitsNow(db);
    },

    clearLimits: ({ db }) => {
      db.limits = null;
      limiter.forget(db.id);
      return limitsNow(db);
    },
  };
}
