/**
 * The web console: Zoho CRM's side of the phone for QA teams. A hash route
 * per view (#/calls, #/journal, #/outbox, #/click-to-call, #/integration,
 * #/controls), one tenant at a time, live from the event stream.
 */
import { render } from 'preact';
import { useCallback, useEffect, useState } from 'preact/hooks';
import { adoptTokenFromAddress, api, setToken, TokenRequired, type TenantSummary } from './api.js';
import { callKey, useLive } from './live.js';
import { CallDetailView } from './views/call-detail.js';
import { CallsView } from './views/calls.js';
import { ClickToCallView } from './views/click-to-call.js';
import { ControlsView } from './views/controls.js';
import { IntegrationView } from './views/integration.js';
import { JournalView, RequestDetailView } from './views/journal.js';
import { DeliveryDetailView, OutboxView } from './views/outbox.js';

const VIEWS = [
  { path: 'calls', title: 'Calls' },
  { path: 'click-to-call', title: 'Click to call' },
  { path: 'journal', title: 'Journal' },
  { path: 'outbox', title: 'Outbox' },
  { path: 'integration', title: 'Integration' },
  { path: 'controls', title: 'Controls' },
] as const;

const TENANT_KEY = 'phonebridge-mock.tenant';

function useRoute(): string[] {
  const read = () => (location.hash.replace(/^#\/?/, '') || 'calls').split('/').map(decodeURIComponent);
  const [route, setRoute] = useState(read);
  useEffect(() => {
    const changed = () => setRoute(read());
    window.addEventListener('hashchange', changed);
    return () => window.removeEventListener('hashchange', changed);
  }, []);
  return route;
}

function SignIn({ onDone }: { onDone: () => void }) {
  const [value, setValue] = useState('');
  return (
    <main id="main" class="sign-in">
      <h1>phonebridge-mock console</h1>
      <p>This mock requires its admin token (printed at start, or PHONEBRIDGE_ADMIN_TOKEN). It is kept in this tab only.</p>
      <form
        onSubmit={(event) => {
          event.preventDefault();
          setToken(value.trim());
          onDone();
        }}
      >
        <label>
          Admin token
          <input type="password" autocomplete="off" value={value} onInput={(event) => setValue(event.currentTarget.value)} required />
        </label>
        <button type="submit">Sign in</button>
      </form>
    </main>
  );
}

function App() {
  const route = useRoute();
  const [needsToken, setNeedsToken] = useState(false);
  const [tenants, setTenants] = useState<TenantSummary[]>([]);
  const [tenantId, setTenantId] = useState<string | undefined>(sessionStorage.getItem(TENANT_KEY) ?? undefined);
  const [attempt, setAttempt] = useState(0);
  const tokenRequired = useCallback(() => setNeedsToken(true), []);

  useEffect(() => {
    api<{ tenants: TenantSummary[] }>('GET', '/__admin/tenants')
      .then(({ body }) => {
        setNeedsToken(false);
        setTenants(body.tenants);
        // The default tenant comes first; a remembered one that is gone falls back to it.
        setTenantId((id) => (body.tenants.some((t) => t.id === id) ? id : body.tenants[0]?.id));
      })
      .catch((error) => (error instanceof TokenRequired ? setNeedsToken(true) : console.error(error)));
  }, [attempt]);

  const live = useLive(needsToken ? undefined : tenantId, tokenRequired);
  if (needsToken) return <SignIn onDone={() => setAttempt((n) => n + 1)} />;
  if (!tenantId) return <p>Loading…</p>;

  const [view = 'calls', ...rest] = route;
  const choose = (id: string) => {
    sessionStorage.setItem(TENANT_KEY, id);
    setTenantId(id);
  };
  let content;
  if (view === 'calls' && rest.length === 2) {
    const [orgId = '', callrefid = ''] = rest;
    content = (
      <CallDetailView call={live.calls.find((c) => callKey(c) === `${orgId}/${callrefid}`)} tenant={live.tenant} tenantId={tenantId} callrefid={callrefid} />
    );
  } else if (view === 'journal' && rest[0]) content = <RequestDetailView entry={live.requests.find((e) => e.id === rest[0])} id={rest[0]} />;
  else if (view === 'journal') content = <JournalView requests={live.requests} />;
  else if (view === 'outbox' && rest[0]) content = <DeliveryDetailView delivery={live.deliveries.find((d) => d.id === rest[0])} id={rest[0]} />;
  else if (view === 'outbox') content = <OutboxView deliveries={live.deliveries} tenantId={tenantId} />;
  else if (view === 'click-to-call') content = <ClickToCallView tenant={live.tenant} tenantId={tenantId} />;
  else if (view === 'integration') content = <IntegrationView tenant={live.tenant} />;
  else if (view === 'controls') content = <ControlsView tenantId={tenantId} onReset={live.reload} />;
  else content = <CallsView calls={live.calls} tenant={live.tenant} tenantId={tenantId} />;

  return (
    <>
      <header>
        <h1>phonebridge-mock console</h1>
        <label class="tenant">
          Tenant
          <select value={tenantId} onChange={(event) => choose(event.currentTarget.value)}>
            {tenants.map((t) => (
              <option key={t.id} value={t.id}>
                {t.label ? `${t.label} (${t.id})` : t.id}
              </option>
            ))}
          </select>
        </label>
        <span class={live.connected ? 'live on' : 'live off'} role="status">
          {live.connected ? 'Live' : 'Connecting…'}
        </span>
      </header>
      <nav aria-label="Views">
        <ul>
          {VIEWS.map((v) => (
            <li key={v.path}>
              <a href={`#/${v.path}`} aria-current={view === v.path ? 'page' : undefined}>
                {v.title}
              </a>
            </li>
          ))}
        </ul>
      </nav>
      <main id="main" tabIndex={-1}>
        {content}
      </main>
    </>
  );
}

adoptTokenFromAddress();
const root = document.getElementById('app');
if (root) {
  root.textContent = '';
  render(<App />, root);
}
