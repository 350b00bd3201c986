/**
 * The live board: every call of the tenant in a column by its state, a
 * ringing call with its screen pop, and the buttons a CRM user presses on a
 * call. Each button sends POST /__admin/call-control (the vendor gets the
 * request at its registered URL) and shows the vendor's answer; a button the
 * call's state or the registration does not allow is disabled, and says why.
 */
import { useState } from 'preact/hooks';
import { api, describeError, type Action, type Call, type Delivery, type Tenant } from '../api.js';
import { callKey } from '../live.js';
import { Empty, time } from '../ui.js';

type Column = { id: string; title: string; holds: (call: Call) => boolean };

const COLUMNS: Column[] = [
  { id: 'ringing', title: 'Ringing', holds: (c) => c.state === 'ringing' || c.state === 'dialing' },
  { id: 'answered', title: 'Answered', holds: (c) => c.state === 'answered' && !c.controls.held && !c.controls.muted },
  { id: 'held', title: 'On hold', holds: (c) => c.state === 'answered' && c.controls.held },
  { id: 'muted', title: 'Muted', holds: (c) => c.state === 'answered' && c.controls.muted && !c.controls.held },
  { id: 'ended', title: 'Ended', holds: (c) => c.state === 'ended' },
  { id: 'missed', title: 'Missed', holds: (c) => c.state === 'missed' },
];

const ACTION_LABEL: Record<Action, string> = {
  answer: 'Answer',
  hangup: 'Hang up',
  mute: 'Mute',
  unmute: 'Unmute',
  hold: 'Hold',
  unhold: 'Unhold',
  keypress: 'Keypad',
};

const lastAt = (call: Call) => call.timeline[call.timeline.length - 1]?.at ?? '';

export function userName(tenant: Tenant | undefined, userId: string): string {
  for (const org of tenant?.orgs ?? []) for (const user of org.users) if (user.id === userId) return user.name;
  return userId;
}

type Pop = Call['screenPop'][number] & { Potential?: { Name?: string; Stage?: string; ExpectedRevenue?: string }[] };

/** What the CRM user's screen pops for the customer: the records matched, or an unknown caller; `brief`: names only. */
export function ScreenPop({ call, brief = false }: { call: Call; brief?: boolean }) {
  const records = call.screenPop as Pop[];
  const number = call.direction === 'inbound' ? call.fromnumber : call.tonumber;
  if (brief) return <p class="pop-brief">{records.length ? records.map((r) => `${r.Name} (${r.Module})`).join(', ') : 'Unknown caller'}</p>;
  if (records.length === 0)
    return (
      <div class="screen-pop unknown" role="group" aria-label={`Screen pop for ${number}`}>
        <strong>Unknown caller</strong> <span class="muted">{number}</span>
      </div>
    );
  return (
    <div class="screen-pop" role="group" aria-label={`Screen pop for ${number}`}>
      {records.map((record) => (
        <div class="record" key={record.Id}>
          <strong>{record.Name}</strong> <span class="module">{record.Module}</span>
          <dl>
            <dt>Phone</dt>
            <dd>{record.Phone ?? record.Mobile ?? number}</dd>
            {record['Company/Account'] ? (
              <>
                <dt>Account</dt>
                <dd>{record['Company/Account']}</dd>
              </>
            ) : null}
            {record.Potential?.length ? (
              <>
                <dt>Potentials</dt>
                <dd>
                  <ul>
                    {record.Potential.map((p) => (
                      <li key={p.Name}>
                        {p.Name} ({p.Stage}, {p.ExpectedRevenue})
                      </li>
                    ))}
                  </ul>
                </dd>
              </>
            ) : null}
          </dl>
        </div>
      ))}
    </div>
  );
}

/** The buttons of one call, each enabled only when the control plane would send it. */
export function CallControls({ call, tenantId }: { call: Call; tenantId: string }) {
  const [result, setResult] = useState<string>();
  const [busy, setBusy] = useState(false);
  const [keypad, setKeypad] = useState(false);
  const id = `call-${call.orgId}-${call.callrefid}`.replace(/[^A-Za-z0-9_-]/g, '_');

  const press = async (action: Action, digit?: string) => {
    setBusy(true);
    setResult(undefined);
    try {
      const answer = await api<Delivery>(
        'POST',
        '/__admin/call-control',
        {},
        { tenant: tenantId, orgid: call.orgId, callrefid: call.callrefid, action, digit },
      );
      const delivery = answer.body;
      setResult(
        answer.status !== 200
          ? `${ACTION_LABEL[action]}: ${describeError(answer)}`
          : delivery.delivered
            ? `${ACTION_LABEL[action]}${digit ? ` ${digit}` : ''} sent; the vendor answered ${delivery.response?.status} ${delivery.response?.body ?? ''} (${delivery.latencyMs} ms)`
            : `${ACTION_LABEL[action]} not delivered: ${delivery.error ?? `the vendor answered ${delivery.response?.status}`}`,
      );
    } catch (error) {
      setResult(`${ACTION_LABEL[action]}: ${String(error)}`);
    } finally {
      setBusy(false);
    }
  };

  // Mute or Unmute, Hold or Unhold: whichever the call's state calls for.
  const shown: Action[] = ['answer', 'hangup', call.controls.muted ? 'unmute' : 'mute', call.controls.held ? 'unhold' : 'hold', 'keypress'];
  const refused = shown.filter((action) => !call.actions[action].available);
  return (
    <div class="controls">
      <div class="buttons" role="group" aria-label={`Call control for ${call.callrefid}`}>
        {shown.map((action) => {
          const { available } = call.actions[action];
          return (
            <button
              type="button"
              key={action}
              disabled={!available || busy}
              aria-describedby={available ? undefined : `${id}-why-${action}`}
              aria-expanded={action === 'keypress' ? keypad : undefined}
              onClick={() => (action === 'keypress' ? setKeypad(!keypad) : void press(action))}
            >
              {ACTION_LABEL[action]}
            </button>
          );
        })}
      </div>
      {keypad && call.actions.keypress.available ? (
        <div class="keypad" role="group" aria-label="Keypad">
          {['1', '2', '3', '4', '5', '6', '7', '8', '9', '*', '0', '#'].map((digit) => (
            <button type="button" key={digit} aria-label={`Key ${digit}`} disabled={busy} onClick={() => void press('keypress', digit)}>
              {digit}
            </button>
          ))}
        </div>
      ) : null}
      {refused.length ? (
        // What the registration lacks is shown; what the call's state forbids is plain to see, and told to screen readers only.
        <ul class="why-not">
          {refused.map((action) => (
            <li
              key={action}
              id={`${id}-why-${action}`}
              class={call.actions[action].reason?.startsWith('the vendor registered no') ? undefined : 'visually-hidden'}
            >
              {ACTION_LABEL[action]}: {call.actions[action].reason}
            </li>
          ))}
        </ul>
      ) : null}
      <p class="result" role="status">
        {result}
      </p>
    </div>
  );
}

function CallCard({ call, tenant, tenantId }: { call: Call; tenant: Tenant | undefined; tenantId: string }) {
  const live = call.state === 'ringing' || call.state === 'dialing' || call.state === 'answered';
  return (
    <li class={`call call-${call.state}`} aria-label={`Call ${call.callrefid}`}>
      <div class="call-head">
        <span class="direction">{call.direction === 'inbound' ? 'Inbound' : 'Outbound'}</span>
        <span class="module" title={`Reported through PhoneBridge ${call.api}`}>
          {call.api}
        </span>
        <a href={`#/calls/${encodeURIComponent(call.orgId)}/${encodeURIComponent(call.callrefid)}`}>{call.callrefid}</a>
        <span class="muted">{time(lastAt(call))}</span>
      </div>
      <p class="numbers">
        {call.fromnumber} → {call.tonumber} · {userName(tenant, call.userId)}
        {call.state === 'dialing' ? ' · dialing' : ''}
      </p>
      <ScreenPop call={call} brief={!live} />
      {call.warnings.length ? <p class="warning">⚠ {call.warnings.map((w) => w.message).join('; ')}</p> : null}
      {live ? <CallControls call={call} tenantId={tenantId} /> : null}
    </li>
  );
}

export function CallsView({ calls, tenant, tenantId }: { calls: Call[]; tenant: Tenant | undefined; tenantId: string }) {
  const sorted = [...calls].sort((a, b) => lastAt(b).localeCompare(lastAt(a)));
  return (
    <section aria-labelledby="calls-title">
      <h2 id="calls-title">Live calls</h2>
      {calls.length === 0 ? <Empty>No calls yet. They appear here the moment the vendor reports one (POST …/phonebridge/callreceived).</Empty> : null}
      {[COLUMNS.slice(0, 4), COLUMNS.slice(4)].map((columns, row) => (
        <div class={row === 0 ? 'board' : 'board finished'} key={row}>
          {columns.map((column) => {
            const inColumn = sorted.filter(column.holds);
            return (
              <section class="column" key={column.id} aria-labelledby={`column-${column.id}`}>
                <h3 id={`column-${column.id}`}>
                  {column.title} <span class="count">{inColumn.length}</span>
                </h3>
                <ul class="calls" aria-label={`${column.title} calls`}>
                  {inColumn.map((call) => (
                    <CallCard key={callKey(call)} call={call} tenant={tenant} tenantId={tenantId} />
                  ))}
                </ul>
              </section>
            );
          })}
        </div>
      ))}
    </section>
  );
}
