/**
 * v3's call events: one `callnotify` with `type` and `state`, onto the same
 * version-neutral call log as v2's five operations; and `clicktodialerror`.
 */
import type { CallEventType } from '../../store/schema.js';
import { fail } from '../../zoho/errors.js';
import { gmtToIso } from '../../zoho/formats.js';
import { checkAccess, V3_CODES } from '../access.js';
import { recordCallEvent, saveActivity, type CallReport } from '../calls.js';
import { profileOf, refusedLive, UNATTENDED } from '../../zoho/profiles.js';
import type { V3Handler } from './context.js';

/** The states each `type` has (the document's matrix). */
const STATES: Record<'received' | 'dialed', readonly string[]> = {
  received: ['ringing', 'answered', 'missed', 'ended'],
  dialed: ['ringing', 'answered', 'ended', ...UNATTENDED],
};

export const v3CallNotify: V3Handler<'v3CallNotify'> = ({ params, caller, now }) => {
  const { type, state } = params;
  if (!STATES[type].includes(state)) fail('INVALID_DATA', { param: 'state' });
  const terminal = state === 'missed' || (UNATTENDED as readonly string[]).includes(state);
  if (terminal && params.start_time === undefined) fail('REQUIRED_PARAM_MISSING', { param: 'start_time' });
  // A parameter error, so before the access checks (the document's order).
  if (profileOf(caller.tenant) === 'live' && refusedLive(type, state)) fail('INVALID_DATA', { param: 'state' });
  checkAccess(caller, {}, V3_CODES);

  const direction = type === 'received' ? 'inbound' : 'outbound';
  const event: CallEventType =
    state === 'ringing'
      ? type === 'received'
        ? 'received'
        : 'dialed'
      : state === 'answered'
        ? 'answered'
        : state === 'missed'
          ? 'missed'
          : state === 'ended'
            ? 'hungup'
            : 'dialed';
  const report: CallReport = {
    type: event,
    direction,
    callrefid: params.id,
    // v3's `from`/`to` are the caller and the callee, as v2's fromnumber/tonumber.
    fromnumber: params.from,
    tonumber: params.to,
    userid: params.zohouser,
    // An unattended outgoing call ends with the customer's side of it.
    customerstatus: terminal && type === 'dialed' ? state : undefined,
    transfercallrefid: params.transferredcallid,
    fields: params,
    api: 'v3',
  };
  const { org } = caller;
  const { log, warnings } = recordCallEvent(org, caller.user.id, report, now);
  if (params.voiceuri !== undefined) log.voiceurl = params.voiceuri;
  if (state === 'ended' || terminal) {
    const answered = log.events.find((e) => e.type === 'answered');
    const startTime = params.start_time !== undefined ? gmtToIso(params.start_time) : (log.events[0]?.at ?? now.toISOString());
    const durationSeconds = params.duration ?? (state === 'ended' && answered ? Math.max(0, Math.round((now.getTime() - Date.parse(answered.at)) / 1000)) : 0);
    const kind = state === 'missed' ? 'missed' : 'call';
    saveActivity(org, log, { kind, startTime, durationSeconds, voiceurl: log.voiceurl, description: terminal && type === 'dialed' ? state : null }, now);
  }
  return { status: 200, body: { code: 'SUCCESS', status: 'success' }, warnings };
};

export const v3ClickToDialError: V3Handler<'v3ClickToDialError'> = ({ caller }) => {
  checkAccess(caller, {}, V3_CODES);
  return { status: 200, body: { code: 'SUCCESS', status: 'success' } };
};
