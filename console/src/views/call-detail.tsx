/** One call: its screen pop and buttons, the vendor's events in order, the activity written, the click-to-call it answered, transfers, recording. */
import type { Call, Tenant } from '../api.js';
import { Empty, Json, SafeLink, TableRegion, time } from '../ui.js';
import { CallControls, ScreenPop, userName } from './calls.js';

export function CallDetailView({
  call,
  tenant,
  tenantId,
  callrefid,
}: {
  call: Call | undefined;
  tenant: Tenant | undefined;
  tenantId: string;
  callrefid: string;
}) {
  if (!call)
    return (
      <section aria-labelledby="call-title">
        <h2 id="call-title">Call {callrefid}</h2>
        <Empty>
          No such call in this tenant. <a href="#/calls">Back to the board</a>
        </Empty>
      </section>
    );
  const live = call.state === 'ringing' || call.state === 'dialing' || call.state === 'answered';
  return (
    <section aria-labelledby="call-title">
      <p>
        <a href="#/calls">← All calls</a>
      </p>
      <h2 id="call-title">Call {call.callrefid}</h2>
      <dl class="facts">
        <dt>State</dt>
        <dd>
          {call.state}
          {call.controls.held ? ', on hold' : ''}
          {call.controls.muted ? ', muted' : ''}
        </dd>
        <dt>Direction</dt>
        <dd>{call.direction}</dd>
        <dt>Reported through</dt>
        <dd>PhoneBridge {call.api}</dd>
        <dt>From → to</dt>
        <dd>
          {call.fromnumber} → {call.tonumber}
        </dd>
        <dt>CRM user</dt>
        <dd>{userName(tenant, call.userId)}</dd>
        <dt>Org</dt>
        <dd>{call.orgId}</dd>
        <dt>Recording</dt>
        <dd>{call.voiceurl ? <SafeLink href={call.voiceurl}>{call.voiceurl}</SafeLink> : 'none'}</dd>
        <dt>Transferred from</dt>
        <dd>{call.transferredFrom ?? 'none'}</dd>
        <dt>Transferred to</dt>
        <dd>{call.transferredTo.length ? call.transferredTo.join(', ') : 'none'}</dd>
      </dl>
      <h3>Screen pop</h3>
      <ScreenPop call={call} />
      {live ? (
        <>
          <h3>Call control</h3>
          <CallControls call={call} tenantId={tenantId} />
        </>
      ) : null}
      <h3>Timeline</h3>
      <TableRegion label="Timeline">
        <thead>
          <tr>
            <th scope="col">Time</th>
            <th scope="col">Event</th>
            <th scope="col">Fields as read</th>
          </tr>
        </thead>
        <tbody>
          {call.timeline.map((event, i) => (
            <tr key={i}>
              <td>{time(event.at)}</td>
              <td>{event.type}</td>
              <td>
                <Json value={event.params} label={`Fields of the ${event.type} event`} />
              </td>
            </tr>
          ))}
        </tbody>
      </TableRegion>
      {call.warnings.length ? (
        <>
          <h3>Lifecycle warnings</h3>
          <ul class="warnings">
            {call.warnings.map((w, i) => (
              <li key={i}>
                <code>{w.code}</code> {w.message}
              </li>
            ))}
          </ul>
        </>
      ) : null}
      <h3>Activity written</h3>
      {call.activity ? <Json value={call.activity} label="Activity" /> : <Empty>None yet: the activity is written when the call ends or is missed.</Empty>}
      <h3>Click-to-call</h3>
      {call.clickToCall ? <Json value={call.clickToCall} label="Click-to-call delivery" /> : <Empty>This call did not answer a click-to-call request.</Empty>}
    </section>
  );
}
