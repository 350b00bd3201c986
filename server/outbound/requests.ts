import type { ClickToCallRegistration, CallControlAction, CallLog, CrmUser } from '../store/schema.js';

/** The registration field holding each action's URL. */
export const ACTION_URL: Record<CallControlAction, 'answerurl' | 'hungupurl' | 'muteurl' | 'unmuteurl' | 'holdurl' | 'unholdurl' | 'keypressurl'> = {
  answer: 'answerurl',
  hangup: 'hungupurl',
  mute: 'muteurl',
  unmute: 'unmuteurl',
  hold: 'holdurl',
  unhold: 'unholdurl',
  keypress: 'keypressurl',
};

/** HTTP's token characters: a name outside them cannot be a header. */
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
/** Headers the request itself needs; a pair with one of these names travels as a field only. */
const RESERVED_HEADERS = new Set([
  'content-type',
  'content-length',
  'transfer-encoding',
  'host',
  'connection',
  'expect',
  'keep-alive',
  'upgrade',
  'te',
  'trailer',
]);

/**
 * What Zoho adds to every request: the authorization pair as a field, and
 * also as a header of that name when the name can be one (Zoho's evidence is
 * the field; the header is a courtesy that must never break the request).
 */
function authorization(registration: ClickToCallRegistration): { fields: [string, string][]; headers: Record<string, string> } {
  const pair = registration.authorizationparam;
  if (!pair) return { fields: [], headers: {} };
  const name = pair.name.toLowerCase();
  const asHeader = HEADER_NAME.test(pair.name) && !RESERVED_HEADERS.has(name) && !/[\r\n\0]/.test(pair.value);
  return { fields: [[pair.name, pair.value]], headers: asHeader ? { [name]: pair.value } : {} };
}

/** `{to}` (or `'{to}'`, as Zoho's example writes it) in a v3 click-to-dial pair's value: the number clicked. */
const TO_PLACEHOLDER = /'\{to\}'|\{to\}/g;

/**
 * The click-to-call request's fields and headers. v2: tonumber, userid, the user's own number, the custom pairs.
 * v3 (click-to-dial): tonumber, then the custom pairs with `{to}` replaced by the number (no user id: vendors
 * name the user with their own pairs).
 */
export function clickToCallRequest(registration: ClickToCallRegistration, user: CrmUser, tonumber: string) {
  const auth = authorization(registration);
  if (registration.api === 'v3') {
    const pairs = registration.clicktocallparam.map(({ name, value }): [string, string] => [name, value.replace(TO_PLACEHOLDER, () => tonumber)]);
    return { fields: [['tonumber', tonumber] as [string, string], ...pairs, ...auth.fields], headers: auth.headers };
  }
  const fields: [string, string][] = [
    ['tonumber', tonumber],
    ['userid', user.id],
  ];
  if (user.phone) fields.push(['fromnumber', user.phone]);
  for (const pair of registration.clicktocallparam) fields.push([pair.name, pair.value]);
  return { fields: [...fields, ...auth.fields], headers: auth.headers };
}

/** A call-control request's fields and headers: callrefid (and digit), the custom pairs. */
export function callControlRequest(registration: ClickToCallRegistration, callrefid: string, digit?: string) {
  const auth = authorization(registration);
  const fields: [string, string][] = [['callrefid', callrefid]];
  if (digit !== undefined) fields.push(['digit', digit]);
  for (const pair of registration.callcontrolparam) fields.push([pair.name, pair.value]);
  return { fields: [...fields, ...auth.fields], headers: auth.headers };
}

/** Why an action makes no sense in the call's state, or null when it does. */
export function actionRefusal(action: CallControlAction, call: CallLog): string | null {
  const { muted, held } = call.controls ?? { muted: false, held: false };
  const answered = call.state === 'answered';
  const needs: Record<CallControlAction, [boolean, string]> = {
    answer: [call.state === 'ringing', 'a ringing call'],
    hangup: [['ringing', 'dialing', 'answered'].includes(call.state), 'a call that is not over'],
    mute: [answered && !muted, 'an answered call that is not muted'],
    unmute: [answered && muted, 'an answered call that is muted'],
    hold: [answered && !held, 'an answered call that is not on hold'],
    unhold: [answered && held, 'an answered call on hold'],
    keypress: [answered, 'an answered call'],
  };
  const [ok, what] = needs[action];
  return ok ? null : `${action} needs ${what}; call ${call.callrefid} is ${call.state}${muted ? ', muted' : ''}${held ? ', on hold' : ''}`;
}

/** Why Zoho would not send this action for this call, as an error to answer with; null when it would. */
export type ActionBlock =
  | { code: 'CLICKTOCALL_NOT_ENABLED'; reason: string }
  | { code: 'NO_URL_FOR_ACTION'; reason: string; subject: string; details: { action: CallControlAction } }
  | { code: 'ACTION_NOT_ALLOWED'; reason: string; subject: string; details: { state: CallLog['state'] } };

/**
 * The checks of a call-control press, in order: the user's registration, the action's URL, the call's state.
 * POST /__admin/call-control answers the first that fails; the call view shows each action's (calls.ts).
 */
export function actionBlock(registration: ClickToCallRegistration | undefined, userId: string, action: CallControlAction, call: CallLog): ActionBlock | null {
  if (!registration) return { code: 'CLICKTOCALL_NOT_ENABLED', reason: `user ${userId} registered no click-to-call and call control` };
  const field = ACTION_URL[action];
  if (registration[field] === undefined) return { code: 'NO_URL_FOR_ACTION', reason: `the vendor registered no ${field}`, subject: field, details: { action } };
  const refusal = actionRefusal(action, call);
  return refusal === null ? null : { code: 'ACTION_NOT_ALLOWED', reason: refusal, subject: refusal, details: { state: call.state } };
}

/** Mute and hold after a delivered action. */
export function controlsAfter(action: CallControlAction, controls: CallLog['controls']): NonNullable<CallLog['controls']> {
  const next = { muted: false, held: false, ...controls };
  if (action === 'mute' || action === 'unmute') next.muted = action === 'mute';
  if (action === 'hold' || action === 'unhold') next.held = action === 'hold';
  return next;
}
