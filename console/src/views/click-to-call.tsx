/**
 * Click to call as a CRM user does it: pick the user, find a record by name or
 * number (or type a number), press Call; the vendor's PBX gets the request at
 * the user's registered click-to-call URL (POST /__admin/click-to-call).
 */
import { useEffect, useState } from 'preact/hooks';
import { api, describeError, type CrmRecord, type Delivery, type Tenant } from '../api.js';
import { Empty } from '../ui.js';

export function ClickToCallView({ tenant, tenantId }: { tenant: Tenant | undefined; tenantId: string }) {
  const orgs = tenant?.orgs ?? [];
  const [orgId, setOrgId] = useState<string>();
  const org = orgs.find((o) => o.id === orgId) ?? orgs.find((o) => o.registrations.length > 0) ?? orgs[0];
  const registered = new Set(org?.registrations.map((r) => r.userId));
  const [userId, setUserId] = useState<string>();
  const user = org?.users.find((u) => u.id === userId) ?? org?.users.find((u) => registered.has(u.id)) ?? org?.users[0];
  const [search, setSearch] = useState('');
  const [records, setRecords] = useState<CrmRecord[]>([]);
  const [number, setNumber] = useState('');
  const [result, setResult] = useState<string>();

  useEffect(() => {
    if (!org) return;
    const timer = window.setTimeout(() => {
      api<{ records: CrmRecord[] }>('GET', '/__admin/records', { tenant: tenantId, orgid: org.id, search, limit: 20 })
        .then((answer) => setRecords(answer.status === 200 ? answer.body.records : []))
        .catch(() => setRecords([]));
    }, 150);
    return () => window.clearTimeout(timer);
  }, [tenantId, org?.id, search]);

  const call = async (target: { tonumber?: string; recordid?: string; name: string }) => {
    if (!org || !user) return;
    setResult(`Calling ${target.name}…`);
    const answer = await api<Delivery>('POST', '/__admin/click-to-call', {}, { tenant: tenantId, orgid: org.id, userid: user.id, ...target, name: undefined });
    const d = answer.body;
    setResult(
      answer.status !== 200
        ? `Call ${target.name}: ${describeError(answer)}`
        : d.delivered
          ? `Call ${target.name}: sent to ${d.url}; the vendor answered ${d.response?.status} ${d.response?.body ?? ''} (${d.latencyMs} ms)`
          : `Call ${target.name}: not delivered: ${d.error ?? `the vendor answered ${d.response?.status}`}`,
    );
  };

  if (!org) return <Empty>Loading the tenant…</Empty>;
  return (
    <section aria-labelledby="c2c-title">
      <h2 id="c2c-title">Click to call</h2>
      <form class="filters" onSubmit={(event) => event.preventDefault()}>
        <label>
          Org
          <select value={org.id} onChange={(event) => setOrgId(event.currentTarget.value)}>
            {orgs.map((o) => (
              <option key={o.id} value={o.id}>
                {o.name} ({o.id})
              </option>
            ))}
          </select>
        </label>
        <label>
          CRM user
          <select value={user?.id} onChange={(event) => setUserId(event.currentTarget.value)}>
            {org.users.map((u) => (
              <option key={u.id} value={u.id}>
                {u.name}
                {registered.has(u.id) ? '' : ' (click-to-call not registered)'}
              </option>
            ))}
          </select>
        </label>
      </form>
      {user && !registered.has(user.id) ? (
        <p class="warning">{user.name} has no click-to-call registration: the vendor registers it with POST /crm/v2/phonebridge/clicktocall.</p>
      ) : null}
      <p class="result" role="status">
        {result}
      </p>
      <form
        class="filters"
        onSubmit={(event) => {
          event.preventDefault();
          if (number.trim()) void call({ tonumber: number.trim(), name: number.trim() });
        }}
      >
        <label>
          Number
          <input type="tel" value={number} onInput={(event) => setNumber(event.currentTarget.value)} autocomplete="off" />
        </label>
        <button type="submit" aria-label="Call number" disabled={!number.trim()}>
          Call
        </button>
      </form>
      <label class="search">
        Search records by name or number
        <input type="search" value={search} onInput={(event) => setSearch(event.currentTarget.value)} autocomplete="off" />
      </label>
      {records.length === 0 ? <Empty>No Lead, Contact or Account with a number matches.</Empty> : null}
      <ul class="records" aria-label="Records">
        {records.map((r) => (
          <li key={r.id}>
            <span>
              <strong>{r.name}</strong> <span class="module">{r.module}</span>
              {r.company && r.company !== r.name ? <span class="muted"> · {r.company}</span> : null}
              <br />
              <span class="muted">{[r.phone, r.mobile].filter(Boolean).join(' · ')}</span>
            </span>
            <button type="button" aria-label={`Call ${r.name}`} onClick={() => void call({ recordid: r.id, name: r.name })}>
              Call
            </button>
          </li>
        ))}
      </ul>
    </section>
  );
}
