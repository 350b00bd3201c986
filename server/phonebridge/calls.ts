/**
 * The call log, the same for every PhoneBridge version: one log per call
 * reference id in the caller's org, its events, transfers, the activity a
 * finished call leaves, and the click-to-call request an outbound call answers.
 * A version's handlers translate their fields into a CallReport.
 */
import quickselect from 'quickselect';
import { findCustomer, findUser, type CustomerMatch } from '../crm/lookup.js';
import { phonesMatch } from '../crm/phone.js';
import { ACTION_URL, actionBlock } from '../outbound/requests.js';
import type { CallActivity, CallControlAction, CallEventType, CallLog, CallWarning, Delivery, Org } from '../store/schema.js';
import { lifecycleWarnings } from './lifecycle.js';

export type Direction = CallLog['direction'];

/** One call event as the vendor reported it. */
export interface CallReport {
  type: CallEventType;
  /** The direction of a call first seen with this event. */
  direction: Direction;
  callrefid: string;
  fromnumber: string;
  tonumber: string;
  /** The CRM user the vendor named, if any. */
  userid?: string;
  /** For a dialled call: how the customer's side went (`success`, `inprogress`, ...), if said. */
  customerstatus?: string;
  /** The call this one was transferred from, if any. */
  transfercallrefid?: string;
  /** The fields as received, kept on the event. */
  fields: Record<string, unknown>;
  /** The version that reported it; absent: v2. */
  api?: 'v3';
}

const CLICK_TO_CALL_LINK_WINDOW_MS = 10 * 60_000;

const STATE_AFTER: Record<Exclude<CallEventType, 'dialed'>, CallLog['state']> = {
  received: 'ringing',
  answered: 'answered',
  missed: 'missed',
  hungup: 'ended',
};

function stateAfterDial(customerstatus: string | undefined): CallLog['state'] {
  if (customerstatus === 'success' || customerstatus === 'inprogress') return 'answered';
  return customerstatus === undefined ? 'dialing' : 'ended';
}

/** Which side of the call is the customer: the caller of an inbound call, the callee of an outbound one. */
function customerNumber(direction: Direction, { fromnumber, tonumber }: Pick<CallReport, 'fromnumber' | 'tonumber'>): [customer: string, other: string] {
  return direction === 'inbound' ? [fromnumber, tonumber] : [tonumber, fromnumber];
}

function matchCustomer(org: Org, direction: Direction, report: CallReport): CustomerMatch {
  const [customer, other] = customerNumber(direction, report);
  const match = findCustomer(org, customer);
  // Some PBXes swap the numbers; fall back to the other side rather than losing the screen pop.
  return match.records.length > 0 ? match : findCustomer(org, other);
}

/**
 * The click-to-call request an outbound call answers: the latest one the mock
 * delivered to this user of the org for this number in the last ten minutes that no call
 * has claimed yet (Zoho's request carries no call id, so user and number tell).
 */
function claimClickToCall(org: Org, userId: string, customer: string, now: Date): Delivery | undefined {
  for (let i = org.outbox.length - 1; i >= 0; i--) {
    const d = org.outbox[i]!;
    if (now.getTime() - Date.parse(d.at) > CLICK_TO_CALL_LINK_WINDOW_MS) break;
    if (d.kind !== 'clicktocall' || d.userId !== userId || d.callrefid !== null || !d.delivered) continue;
    const tonumber = new URLSearchParams(d.request.body).get('tonumber');
    if (tonumber && phonesMatch(tonumber, customer)) return d;
  }
  return undefined;
}

/** A new 19-digit id in the org's range. */
function newId(org: Org): string {
  return `${org.idPrefix}${String(org.nextId++).padStart(12, '0')}`;
}

/**
 * Records one event on the org's call log (created on first sight of the
 * callrefid), links transfers and a click-to-call it answers; the event is
 * owned by the named user when the org has them, else by `callerUserId`.
 * What the event says is wrong with the vendor's PBX (lifecycle.ts) goes on
 * the call and is returned; it never changes what Zoho answers.
 */
export function recordCallEvent(
  org: Org,
  callerUserId: string,
  report: CallReport,
  now: Date,
): { log: CallLog; match: CustomerMatch; warnings: CallWarning[] } {
  const { callrefid, type } = report;
  const existing = org.calls[callrefid];
  const warnings = lifecycleWarnings({ type, callrefid, fields: report.fields, existing, calls: org.calls, now }).map((w): CallWarning => ({
    ...w,
    at: now.toISOString(),
    event: type,
  }));
  const direction = existing?.direction ?? report.direction;
  const match = matchCustomer(org, direction, report);
  const userId = report.userid !== undefined && findUser(org, report.userid) ? report.userid : callerUserId;
  const log: CallLog = existing ?? {
    callrefid,
    ...(report.api ? { api: report.api } : {}),
    direction,
    state: 'ringing',
    fromnumber: report.fromnumber,
    tonumber: report.tonumber,
    userId,
    record: match.first,
    transferredFrom: null,
    transferredTo: [],
    voiceurl: null,
    events: [],
    activityId: null,
  };
  if (!existing && log.direction === 'outbound') {
    const clicked = claimClickToCall(org, userId, customerNumber('outbound', report)[0], now);
    if (clicked) {
      clicked.callrefid = callrefid;
      log.clickToCallDeliveryId = clicked.id;
    }
  }
  log.record ??= match.first;
  log.state = type === 'dialed' ? stateAfterDial(report.customerstatus) : STATE_AFTER[type];
  log.events.push({ type, at: now.toISOString(), params: { ...report.fields } });

  const from = report.transfercallrefid;
  if (from !== undefined && from !== callrefid) {
    log.transferredFrom = from;
    const previous = org.calls[from];
    if (previous && !previous.transferredTo.includes(callrefid)) previous.transferredTo.push(callrefid);
  }
  if (warnings.length) (log.warnings ??= []).push(...warnings);
  if (!org.calls[callrefid]) {
    const known = callCounts.get(org);
    if (known !== undefined) callCounts.set(org, known + 1);
  }
  org.calls[callrefid] = log;
  return { log, match, warnings };
}

/** How many calls each org holds, once counted (an org read from disk or made afresh is counted on its first save). */
const callCounts = new WeakMap<Org, number>();

/**
 * Retention: beyond `max` calls in the org, the oldest (by first event) go,
 * with their activities, so a mock left running for days stays bounded. A
 * twentieth more goes at once, so the sort happens once per many calls, not on
 * every save at the limit.
 */
export function dropOldestCalls(org: Org, max: number): string[] {
  // Counting a big org's calls costs milliseconds, and this runs on every save: counted once, then kept.
  const known = callCounts.get(org);
  if (known !== undefined && known <= max) return [];
  const logs = Object.values(org.calls);
  callCounts.set(org, logs.length);
  if (logs.length <= max) return [];
  // The oldest selected, not sorted: quickselect leaves the `drop` earliest first, in linear time (a sort of
  // 10k calls, every 500 new ones at the limit, stalled the event loop for milliseconds).
  // Calls first seen at the same instant go in the order they were recorded (i), as a stable sort would.
  const keyed = logs.map((log, i) => ({ at: log.events[0]?.at ?? '', i, log }));
  const drop = logs.length - max + Math.floor(max / 20);
  quickselect(keyed, drop - 1, 0, keyed.length - 1, (a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : a.i - b.i));
  const dropped = keyed.slice(0, drop).map(({ log }) => log);
  for (const log of dropped) {
    if (log.activityId) delete org.activities[log.activityId];
    delete org.calls[log.callrefid];
  }
  callCounts.set(org, logs.length - dropped.length);
  return dropped.map((log) => log.callrefid);
}

/**
 * Whether each call-control button may be pressed now, and why not: the
 * checks POST /__admin/call-control makes (actionBlock).
 */
export function callActions(org: Org, log: CallLog): Record<CallControlAction, { available: boolean; reason: string | null }> {
  const registration = org.clickToCall[log.userId];
  const entries = (Object.keys(ACTION_URL) as CallControlAction[]).map((action) => {
    const reason = actionBlock(registration, log.userId, action, log)?.reason ?? null;
    return [action, { available: reason === null, reason }] as const;
  });
  return Object.fromEntries(entries) as Record<CallControlAction, { available: boolean; reason: string | null }>;
}

/** A call as the control plane shows it: its timeline, record and screen pop, activity, click-to-call, transfers, actions and warnings. */
export function callView(org: Org, log: CallLog) {
  return {
    callrefid: log.callrefid,
    api: log.api ?? 'v2',
    orgId: org.id,
    state: log.state,
    direction: log.direction,
    fromnumber: log.fromnumber,
    tonumber: log.tonumber,
    userId: log.userId,
    record: log.record,
    screenPop: findCustomer(org, log.direction === 'inbound' ? log.fromnumber : log.tonumber).entities(),
    timeline: log.events,
    activity: (log.activityId && org.activities[log.activityId]) || null,
    clickToCall: (log.clickToCallDeliveryId && org.outbox.find((d) => d.id === log.clickToCallDeliveryId)) || null,
    transferredFrom: log.transferredFrom,
    transferredTo: log.transferredTo,
    voiceurl: log.voiceurl,
    controls: log.controls ?? { muted: false, held: false },
    actions: callActions(org, log),
    warnings: log.warnings ?? [],
  };
}

export type ActivityFields = Pick<CallActivity, 'kind' | 'startTime' | 'durationSeconds' | 'voiceurl' | 'description'>;

/** Creates the call's activity, or updates it when the vendor reports the end of the call again. */
export function saveActivity(org: Org, log: CallLog, fields: ActivityFields, now: Date): void {
  const existing = log.activityId ? org.activities[log.activityId] : undefined;
  if (existing) {
    Object.assign(existing, fields);
    return;
  }
  const activity: CallActivity = {
    id: newId(org),
    callrefid: log.callrefid,
    direction: log.direction,
    record: log.record,
    ownerId: log.userId,
    createdAt: now.toISOString(),
    ...fields,
  };
  org.activities[activity.id] = activity;
  log.activityId = activity.id;
}

/** A recording that came after the call: on the log and on its activity. */
export function attachRecording(org: Org, log: CallLog, voiceurl: string): void {
  log.voiceurl = voiceurl;
  const activity = log.activityId ? org.activities[log.activityId] : undefined;
  if (activity) activity.voiceurl = voiceurl;
}
