import type { CallEventType } from '../../store/schema.js';
import { gmtToIso } from '../../zoho/formats.js';
import { checkAccess } from '../access.js';
import { recordCallEvent, saveActivity, type CallReport, type Direction } from '../calls.js';
import type { Handler, OperationContext } from '../../openapi/types.js';
import type { Tenant } from '../../store/schema.js';
import type { Caller } from '../../zoho/auth.js';
import type { V2Handler } from './context.js';
import type { components } from './document.gen.js';

type EventFields = components['schemas']['CallEventFields'] & { customerstatus?: string };

/** A v2 call event's fields as the version-neutral call log takes them. */
function report(type: CallEventType, direction: Direction, fields: EventFields): CallReport {
  const { callrefid, fromnumber, tonumber, userid, transfercallrefid, customerstatus } = fields;
  return { type, direction, callrefid, fromnumber, tonumber, userid, transfercallrefid, customerstatus, fields };
}

/** An event that only records itself and answers the customer's records, in full or in short. */
function simpleEvent(type: CallEventType, direction: Direction, answer: 'entities' | 'summaries'): Handler<OperationContext<EventFields, Caller, Tenant>> {
  return ({ params, caller, now }) => {
    checkAccess(caller);
    const { match, warnings } = recordCallEvent(caller.org, caller.user.id, report(type, direction, params), now);
    return { status: 200, body: { data: answer === 'entities' ? match.entities() : match.summaries() }, warnings };
  };
}

export const callReceived: V2Handler<'callReceived'> = simpleEvent('received', 'inbound', 'entities');
export const callAnswered: V2Handler<'callAnswered'> = simpleEvent('answered', 'inbound', 'summaries');
export const callDialed: V2Handler<'callDialed'> = simpleEvent('dialed', 'outbound', 'entities');

export const callHungUp: V2Handler<'callHungUp'> = ({ params, caller, now }) => {
  checkAccess(caller);
  const { org } = caller;
  const { log, match, warnings } = recordCallEvent(org, caller.user.id, report('hungup', params.direction, params), now);
  if (params.voiceurl !== undefined) log.voiceurl = params.voiceurl;
  saveActivity(
    org,
    log,
    { kind: 'call', startTime: gmtToIso(params.callstarttime), durationSeconds: params.duration, voiceurl: log.voiceurl, description: params.desc ?? null },
    now,
  );
  return { status: 200, body: { data: match.summaries() }, warnings };
};

export const callMissed: V2Handler<'callMissed'> = ({ params, caller, now }) => {
  checkAccess(caller);
  const { org } = caller;
  const { log, match, warnings } = recordCallEvent(org, caller.user.id, report('missed', 'inbound', params), now);
  if (params.voicemailurl !== undefined) log.voiceurl = params.voicemailurl;
  // sequential=true: the call rings the next agent of a ring group, so it is not missed yet.
  if (params.sequential !== true) {
    saveActivity(org, log, { kind: 'missed', startTime: gmtToIso(params.callmissedtime), durationSeconds: 0, voiceurl: log.voiceurl, description: null }, now);
  }
  return { status: 200, body: { data: match.summaries() }, warnings };
};
