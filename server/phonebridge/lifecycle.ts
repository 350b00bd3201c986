/**
 * Call lifecycle checks: what the order and timing of a call's events say is
 * wrong with the vendor's PBX (an answer for a call that never rang, a second
 * hangup, a duration its own timestamps contradict, ...). Pure: it judges one
 * incoming event against the call log as it was before the event and changes
 * nothing, so Zoho's answer to the event stays what it would have been.
 */
import type { CallEvent, CallEventType, CallLog } from '../store/schema.js';

export interface LifecycleWarning {
  code: string;
  message: string;
}

export interface LifecycleInput {
  type: CallEventType;
  callrefid: string;
  /** The event's fields as validated (duration a number, callstarttime a `yyyy-MM-dd HH:mm:ss` GMT string, sequential a boolean or a string, ...). */
  fields: Record<string, unknown>;
  /** The log of this callrefid before the event, or undefined when the mock never saw it. */
  existing: CallLog | undefined;
  /** The org's call log by callrefid, to check a transfer's source. */
  calls: Readonly<Record<string, CallLog>>;
  /** The mock's clock: the event's arrival time. */
  now: Date;
}

/**
 * How far timestamps may disagree before a duration counts as contradicted:
 * callstarttime has whole seconds (truncated) and duration is whole seconds,
 * the PBX's clock may be a little off the mock's, and a webhook takes time to
 * arrive. 5 s absorbs all of that; a real contradiction is usually far larger.
 */
const TOLERANCE_MS = 5_000;

const EVENT_NAME: Record<CallEventType, string> = {
  received: 'callreceived',
  answered: 'callanswered',
  dialed: 'calldialed',
  missed: 'callmissed',
  hungup: 'callhungup',
};

/** The customer's side as calldialed reports it that the mock reads as answered (calls.ts: stateAfterDial). */
const ANSWERED_DIAL_STATUSES = ['success', 'inprogress'];

/**
 * The warnings one incoming event raises, judged against the call log as it was BEFORE the event
 * (existing: the log of this callrefid, or undefined when the mock never saw it), and the org's other calls (for transfers).
 * At most one warning per code.
 */
export function lifecycleWarnings(input: LifecycleInput): LifecycleWarning[] {
  return [orderWarning(input), durationWarning(input), transferWarning(input)].filter((w): w is LifecycleWarning => w !== undefined);
}

// ---------- reading fields ----------

/** sequential as the API reads it: true, or `true`/`1` in any case (a form field is a string). */
function isSequential(value: unknown): boolean {
  return value === true || (typeof value === 'string' && ['true', '1'].includes(value.trim().toLowerCase()));
}

/** Whole seconds, from a number or a numeric string (another version's handler may not coerce it). */
function seconds(value: unknown): number | undefined {
  const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  return typeof n === 'number' && Number.isFinite(n) && n >= 0 ? n : undefined;
}

/** GMT `yyyy-MM-dd HH:mm:ss` -> epoch ms, or undefined when it is not one. */
function gmtMs(value: unknown): number | undefined {
  if (typeof value !== 'string' || !/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/.test(value)) return undefined;
  const ms = Date.parse(`${value.replace(' ', 'T')}Z`);
  return Number.isNaN(ms) ? undefined : ms;
}

/** Seconds for a message: whole when whole, else one decimal. */
function secs(ms: number): string {
  return String(Math.round(ms / 100) / 10);
}

// ---------- reading the log ----------

/** Events that end a call: a hangup, or a missed that is not one agent of a sequential ring group passing the call on. */
function isEnding(event: CallEvent): boolean {
  return event.type === 'hungup' || (event.type === 'missed' && !isSequential(event.params.sequential));
}

function isAnswer(event: CallEvent): boolean {
  return event.type === 'answered' || (event.type === 'dialed' && ANSWERED_DIAL_STATUSES.includes(String(event.params.customerstatus)));
}

function wasAnswered(log: CallLog): boolean {
  return log.state === 'answered' || log.events.some(isAnswer);
}

/**
 * When the customer was first known to be talking: callanswered, or calldialed with `success`.
 * Not `inprogress`, which the customer's phone may report before anyone picks up: counting
 * from it could call a correct duration too short.
 */
function answerMs(log: CallLog): number | undefined {
  const event = log.events.find((e) => e.type === 'answered' || (e.type === 'dialed' && e.params.customerstatus === 'success'));
  return event ? Date.parse(event.at) : undefined;
}

/** The direction of a call the mock never saw: callhungup says it; else what the event implies (v2 reads calldialed as outbound). */
function directionOf({ type, fields }: LifecycleInput): CallLog['direction'] {
  if (fields.direction === 'inbound' || fields.direction === 'outbound') return fields.direction;
  return type === 'dialed' ? 'outbound' : 'inbound';
}

// ---------- the checks ----------

/** never-rang, after-end, duplicate or missed-after-answer: at most one, since each says the event is out of order. */
function orderWarning(input: LifecycleInput): LifecycleWarning | undefined {
  const { type, existing } = input;
  if (!existing) return type === 'received' || type === 'dialed' ? undefined : neverRang(input);
  const endings = existing.events.filter(isEnding);
  // Reporting the end again is a duplicate; any other event after the end, including the other kind of end, is after-end.
  const sameEnd = endings.find((e) => e.type === type);
  if (sameEnd) return duplicate(input, existing, `already reported at ${sameEnd.at}`);
  if (endings.length > 0) return afterEnd(input, existing, endings[0]!);
  return repeated(input, existing) ?? missedAfterAnswer(input, existing);
}

function neverRang(input: LifecycleInput): LifecycleWarning {
  const direction = directionOf(input);
  const first = direction === 'inbound' ? 'callreceived' : 'calldialed';
  return {
    code: 'never-rang',
    message: `${EVENT_NAME[input.type]} for callrefid ${input.callrefid}, a call the mock never saw: Zoho expects ${first} first for an ${direction} call.`,
  };
}

function afterEnd(input: LifecycleInput, log: CallLog, ending: CallEvent): LifecycleWarning {
  return {
    code: 'after-end',
    message: `${EVENT_NAME[input.type]} for callrefid ${input.callrefid} after the call ended (state '${log.state}', ${EVENT_NAME[ending.type]} at ${ending.at}).`,
  };
}

function duplicate(input: LifecycleInput, log: CallLog, detail: string): LifecycleWarning {
  return { code: 'duplicate', message: `${EVENT_NAME[input.type]} repeated for callrefid ${input.callrefid} (state '${log.state}'): ${detail}.` };
}

/** The same event again on a call that has not ended; a ring group's missed events and calldialed progress updates are not repeats. */
function repeated(input: LifecycleInput, log: CallLog): LifecycleWarning | undefined {
  const previous = log.events.filter((e) => e.type === input.type);
  const last = previous.at(-1);
  switch (input.type) {
    case 'received':
      return last ? duplicate(input, log, `already reported at ${last.at}`) : undefined;
    case 'answered':
      if (last) return duplicate(input, log, `already reported at ${last.at}`);
      // A calldialed may have answered it already (success/inprogress): the mock's state says so.
      return log.state === 'answered' ? duplicate(input, log, 'the call is already answered') : undefined;
    case 'dialed': {
      const status = input.fields.customerstatus;
      return last && last.params.customerstatus === status ? duplicate(input, log, `same customerstatus '${String(status)}' as at ${last.at}`) : undefined;
    }
    default:
      // missed: the ones before were sequential (else the call would have ended); hungup: none before, or it would have ended.
      return undefined;
  }
}

function missedAfterAnswer(input: LifecycleInput, log: CallLog): LifecycleWarning | undefined {
  if (input.type !== 'missed' || !wasAnswered(log)) return undefined;
  const answer = log.events.find(isAnswer);
  const when = answer ? `, ${EVENT_NAME[answer.type]} at ${answer.at}` : '';
  return { code: 'missed-after-answer', message: `callmissed for callrefid ${input.callrefid}, a call that was answered (state '${log.state}'${when}).` };
}

/** duration-mismatch: a hangup whose duration its callstarttime, the mock's clock or the call's own events contradict. */
function durationWarning(input: LifecycleInput): LifecycleWarning | undefined {
  if (input.type !== 'hungup') return undefined;
  const duration = seconds(input.fields.duration);
  if (duration === undefined) return undefined;
  const problem = startProblem(input, duration) ?? answerProblem(input, duration);
  return problem === undefined ? undefined : { code: 'duration-mismatch', message: `callhungup for callrefid ${input.callrefid}: ${problem}.` };
}

/** Against callstarttime: the call cannot start after its hangup arrived, nor last longer than since it started. */
function startProblem({ fields, now }: LifecycleInput, duration: number): string | undefined {
  const start = gmtMs(fields.callstarttime);
  if (start === undefined) return undefined;
  const elapsed = now.getTime() - start;
  if (elapsed < -TOLERANCE_MS)
    return `callstarttime ${String(fields.callstarttime)} GMT is ${secs(-elapsed)} s after the hangup arrived (${now.toISOString()})`;
  if (duration * 1000 > elapsed + TOLERANCE_MS)
    return `duration ${duration} s is longer than the ${secs(elapsed)} s between callstarttime ${String(fields.callstarttime)} GMT and the hangup`;
  return undefined;
}

/**
 * Against the call's events as the mock recorded them. Only lower bounds: tests send the
 * events back to back and claim any duration through callstarttime, so the mock's own
 * timestamps may be closer together than the call was long, never further apart.
 */
function answerProblem({ existing, now }: LifecycleInput, duration: number): string | undefined {
  if (!existing) return undefined;
  // 'dialing' (calldialed without customerstatus): nothing says whether the customer answered.
  if (!wasAnswered(existing) && existing.state !== 'dialing' && duration > 0)
    return `duration ${duration} s, but the call was never answered (state '${existing.state}')`;
  const answered = answerMs(existing);
  if (answered === undefined) return undefined;
  const talked = now.getTime() - answered;
  if (duration * 1000 + TOLERANCE_MS < talked) return `duration ${duration} s, but the call was answered ${secs(talked)} s before the hangup arrived`;
  return undefined;
}

/** transfer-unknown: transfercallrefid names a call the org's log does not have. */
function transferWarning({ callrefid, fields, existing, calls }: LifecycleInput): LifecycleWarning | undefined {
  const from = fields.transfercallrefid;
  if (typeof from !== 'string' || from === callrefid || Object.hasOwn(calls, from)) return undefined;
  // Later events of the transferred call often repeat the field: it was judged when the call first named it.
  if (existing?.transferredFrom === from) return undefined;
  return { code: 'transfer-unknown', message: `transfercallrefid '${from}' of callrefid ${callrefid} names no call in the org's call log.` };
}
