/**
 * The tenant's state as the console shows it: its detail (orgs, users,
 * registrations), calls, journal and outbox, loaded once and then kept
 * current from the live event stream (no polling, no reloads).
 */
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { api, followEvents, TokenRequired, type Call, type Delivery, type JournalEntry, type Tenant } from './api.js';

const KEPT_REQUESTS = 500;

export interface Live {
  tenant: Tenant | undefined;
  calls: Call[];
  requests: JournalEntry[];
  deliveries: Delivery[];
  connected: boolean;
  /** Reloads everything (after a reset, say). */
  reload: () => void;
}

export const callKey = (call: Pick<Call, 'orgId' | 'callrefid'>) => `${call.orgId}/${call.callrefid}`;
const byNewest = (a: { id: string }, b: { id: string }) => Number(b.id) - Number(a.id);

export function useLive(tenantId: string | undefined, onTokenRequired: () => void): Live {
  const [tenant, setTenant] = useState<Tenant>();
  const [calls, setCalls] = useState<Map<string, Call>>(new Map());
  const [requests, setRequests] = useState<JournalEntry[]>([]);
  const [deliveries, setDeliveries] = useState<Map<string, Delivery>>(new Map());
  const [connected, setConnected] = useState(false);
  const [generation, setGeneration] = useState(0);
  const detailTimer = useRef<number | undefined>(undefined);

  const fail = useCallback(
    (error: unknown) => {
      if (error instanceof TokenRequired) onTokenRequired();
      else console.error(error);
    },
    [onTokenRequired],
  );

  const loadDetail = useCallback(
    (id: string) =>
      api<Tenant>('GET', `/__admin/tenants/${encodeURIComponent(id)}`)
        .then((answer) => answer.status === 200 && setTenant(answer.body))
        .catch(fail),
    [fail],
  );

  useEffect(() => {
    if (tenantId === undefined) return;
    const stop = new AbortController();
    setCalls(new Map());
    setRequests([]);
    setDeliveries(new Map());
    // Listening first, then loading: whatever happens in between arrives twice and is merged, never missed.
    followEvents(tenantId, stop.signal, {
      open: setConnected,
      tokenRequired: onTokenRequired,
      event: (event) => {
        if (event.name === 'call') setCalls((old) => new Map(old).set(callKey(event.data), event.data));
        if (event.name === 'delivery') setDeliveries((old) => new Map(old).set(event.data.id, event.data));
        if (event.name === 'request') {
          const entry = event.data;
          setRequests((old) => (old.some((e) => e.id === entry.id) ? old : [entry, ...old].slice(0, KEPT_REQUESTS)));
          // A request may have enabled the PBX or registered URLs: the detail follows, once things settle.
          window.clearTimeout(detailTimer.current);
          detailTimer.current = window.setTimeout(() => void loadDetail(tenantId), 250);
        }
      },
    });
    const query = { tenant: tenantId };
    void loadDetail(tenantId);
    api<{ calls: Call[] }>('GET', '/__admin/calls', { ...query, limit: 500 })
      .then(({ body }) => setCalls((old) => new Map([...(body.calls ?? []).map((c) => [callKey(c), c] as const), ...old])))
      .catch(fail);
    api<{ requests: JournalEntry[] }>('GET', '/__admin/requests', { ...query, limit: KEPT_REQUESTS })
      .then(({ body }) =>
        setRequests((old) => {
          const seen = new Set(old.map((e) => e.id));
          return [...old, ...(body.requests ?? []).filter((e) => !seen.has(e.id))].sort(byNewest).slice(0, KEPT_REQUESTS);
        }),
      )
      .catch(fail);
    api<{ deliveries: Delivery[] }>('GET', '/__admin/outbox', query)
      .then(({ body }) => setDeliveries((old) => new Map([...(body.deliveries ?? []).map((d) => [d.id, d] as const), ...old])))
      .catch(fail);
    return () => {
      stop.abort();
      window.clearTimeout(detailTimer.current);
    };
  }, [tenantId, generation, loadDetail, fail, onTokenRequired]);

  return {
    tenant,
    calls: [...calls.values()],
    requests,
    deliveries: [...deliveries.values()].sort(byNewest),
    connected,
    reload: () => setGeneration((g) => g + 1),
  };
}
