import { findCaller, findUser, type CallerMatch } from '../crm-lookup.js';
import { phonesMatch } from '../phone.js';
import type { CallActivity, CallEventType, CallLog, Db, Delivery, Org } from '../store/schema.js';
import { checkAccess, type Handler, type HandlerContext } from './context.js';

type Params = Record<string, unknown>;

/** Which side of the call is the customer: the caller of an inbound call, the callee of an outbound one. */
function customerNumber(direction: CallLog['direction'], params: Params): [string, string] {
  const from = params.fromnumber as string;
  const to = params.tonumber as string;
  return direction === 'inbound' ? [from, to] : [to, from];
}

function matchCustomer(org: Org, direction: CallLog['direction'], params: Params): CallerMatch {
  const [customer, other] = customerNumber(direction, params);
  const match = findCaller(org, customer);
  // Some PBXes swap the numbers; fall back to the other side rather than losing the screen pop.
  return match.records.length > 0 ? match : findCaller(org, other);
}

const CLICK_TO_CALL_LINK_WINDOW_MS = 10 * 60_000;

/**
 * The click-to-call request an outbound call answers: the latest one the mock
 * delivered to this user for this number in the last ten minutes that no call
 * has claimed yet (Zoho's request carries no call id, so user and number tell).
 */
function claimClickToCall(db: Db, org: Org, userId: string, customer: string, now: Date): Delivery | undefined {
  for (let i = db.outbox.length - 1; i >= 0; i--) {
    const d = db.outbox[i]!;
    if (now.getTime() - Date.parse(d.at) > CLICK_TO_CALL_LINK_WINDOW_MS) break;
    if (d.kind !== 'clicktocall' || d.orgId !== org.id || d.userId !== userId || d.callrefid !== null || !d.delivered) continue;
    const tonumber = new URLSearchParams(d.request.body).get('tonumber');
    if (tonumber && phonesMatch(tonumber, customer)) return d;
  }
  return undefined;
}

function newId(org: Org): string {
  return `${org.idPrefix}${String(org.nextId++).padStart(12, '0')}`;
}

const STATE_AFTER: Record<Exclude<CallEventType, 'dialed'>, CallLog['state']> = {
  received: 'ringing',
  answered: 'answered',
  missed: 'missed',
  hungup: 'ended',
};

function stateAfterDial(customerstatus: unknown): CallLog['state'] {
  if (customerstatus === 'success' || customerstatus === 'inprogress') return 'answered';
  return customerstatus === undefined ? 'dialing' : 'ended';
}

/** Records one event on the call log (created on first sight of the callrefid) and links transfers. */
function recordEvent({ params, caller, now, store }: HandlerContext, type: CallEventType, direction: CallLog['direction']): { log: CallLog; match: CallerMatch } {
  const { org } = caller;
  const callrefid = params.callrefid as string;
  const existing = org.calls[callrefid];
  const effectiveDirection = existing?.direction ?? direction;
  const match = matchCustomer(org, effectiveDirection, params);
  const userId = typeof params.userid === 'string' && findUser(org, params.userid) ? params.userid : caller.user.id;
  const log: CallLog = existing ?? {
    callrefid,
    direction: effectiveDirection,
    state: 'ringing',
    fromnumber: params.fromnumber as string,
    tonumber: params.tonumber as string,
    userId,
    record: match.first,
    transferredFrom: null,
    transferredTo: [],
    voiceurl: null,
    events: [],
    activityId: null,
  };
  if (!existing && log.direction === 'outbound') {
    const clicked = claimClickToCall(store.data, org, userId, customerNumber('outbound', params)[0], now());
    if (clicked) {
      clicked.callrefid = callrefid;
      log.clickToCallDeliveryId = clicked.id;
    }
  }
  log.record ??= match.first;
  log.state = type === 'dialed' ? stateAfterDial(params.customerstatus) : STATE_AFTER[type];
  log.events.push({ type, at: now().toISOString(), params: { ...params } });

  const from = params.transfercallrefid;
  if (typeof from === 'string' && from !== callrefid) {
    log.transferredFrom = from;
    const previous = org.calls[from];
    if (previous && !previous.transferredTo.includes(callrefid)) previous.transferredTo.push(callrefid);
  }
  org.calls[callrefid] = log;
  return { log, match };
}

/** Creates the call's activity, or updates it when the vendor reports the end of the call again. */
function saveActivity({ caller, now }: HandlerContext, log: CallLog, fields: Pick<CallActivity, 'kind' | 'startTime' | 'durationSeconds' | 'voiceurl' | 'description'>): void {
  const { org } = caller;
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
    createdAt: now().toISOString(),
    ...fields,
  };
  org.activities[activity.id] = activity;
  log.activityId = activity.id;
}

/** GMT `yyyy-MM-dd HH:mm:ss` -> ISO. */
const gmtToIso = (value: unknown) => `${String(value).replace(' ', 'T')}Z`;

/** An event that only records itself and answers the caller's records, in full or in short. */
function simpleEvent(type: CallEventType, direction: CallLog['direction'], answer: 'entities' | 'summaries'): Handler {
  return (ctx) => {
    checkAccess(ctx.caller);
    const { match } = recordEvent(ctx, type, direction);
    ctx.store.changed();
    return { status: 200, body: { data: answer === 'entities' ? match.entities() : match.summaries() } };
  };
}

export const callReceived = simpleEvent('received', 'inbound', 'entities');
export const callAnswered = simpleEvent('answered', 'inbound', 'summaries');
export const callDialed = simpleEvent('dialed', 'outbound', 'entities');

export const callHungUp: Handler = (ctx) => {
  checkAccess(ctx.caller);
  const { params } = ctx;
  const { log, match } = recordEvent(ctx, 'hungup', params.direction as CallLog['direction']);
  if (typeof params.voiceurl === 'string') log.voiceurl = params.voiceurl;
  saveActivity(ctx, log, {
    kind: 'call',
    startTime: gmtToIso(params.callstarttime),
    durationSeconds: params.duration as number,
    voiceurl: log.voiceurl,
    description: typeof params.desc === 'string' ? params.desc : null,
  });
  ctx.store.changed();
  return { status: 200, body: { data: match.summaries() } };
};

export const callMissed: Handler = (ctx) => {
  checkAccess(ctx.caller);
  const { params } = ctx;
  const { log, match } = recordEvent(ctx, 'missed', 'inbound');
  if (typeof params.voicemailurl === 'string') log.voiceurl = params.voicemailurl;
  // sequential=true: the call rings the next agent of a ring group, so it is not missed yet.
  if (params.sequential !== true) {
    saveActivity(ctx, log, { kind: 'missed', startTime: gmtToIso(params.callmissedtime), durationSeconds: 0, voiceurl: log.voiceurl, description: null });
  }
  ctx.store.changed();
  return { status: 200, body: { data: match.summaries() } };
};
