/**
 * v3's two registrations of a user: click-to-dial (`clicktodial`) and call
 * control (`callcontrol`), kept in the org's one registration per user (as v2
 * keeps its single `clicktocallandcallcontrol`), marked `api: 'v3'`, so the
 * control plane and the console send Zoho's v3 requests to them.
 */
import { findUser } from '../../crm/lookup.js';
import { ACTION_URL } from '../../outbound/requests.js';
import type { CallControlAction, ClickToCallRegistration, Org } from '../../store/schema.js';
import type { Caller } from '../../zoho/auth.js';
import { fail } from '../../zoho/errors.js';
import { checkAccess, success, V3_CODES } from '../access.js';
import { authorizationParam, pairsParam } from '../../zoho/name-value.js';
import type { V3Handler } from './context.js';

/** v3's call-control field for each action (v2's `answerurl` is v3's `answeruri`). */
const ACTION_URI = Object.fromEntries(Object.entries(ACTION_URL).map(([action, field]) => [action, field.replace(/url$/, 'uri')])) as Record<
  CallControlAction,
  'answeruri' | 'hungupuri' | 'muteuri' | 'unmuteuri' | 'holduri' | 'unholduri' | 'keypressuri'
>;

/** The user a registration is for: `zohouser`, else the caller; another user needs an administrator. */
function registeredUser(caller: Caller, zohouser: string | undefined): string {
  const userId = zohouser ?? caller.user.id;
  checkAccess(caller, { adminOnly: userId !== caller.user.id ? 'NO_PRIVILEGE' : undefined }, V3_CODES);
  if (!findUser(caller.org, userId)?.active) fail('INVALID_USER', { pbx: caller.vendor.name });
  return userId;
}

/** The user's registration to change: theirs, or a new empty v3 one. */
function registrationOf(org: Org, userId: string, caller: Caller, at: string): ClickToCallRegistration {
  const existing = org.clickToCall[userId];
  const registration: ClickToCallRegistration =
    existing?.api === 'v3'
      ? existing
      : {
          api: 'v3',
          authorizationparam: null,
          clicktocallparam: [],
          callcontrolparam: [],
          vendor: caller.vendor.name,
          registeredBy: caller.user.id,
          registeredAt: at,
        };
  registration.registeredBy = caller.user.id;
  registration.registeredAt = at;
  return registration;
}

/** Stores the registration, or forgets it once it holds no URL at all. */
function keep(org: Org, userId: string, registration: ClickToCallRegistration): void {
  const empty = registration.clicktocallurl === undefined && Object.values(ACTION_URL).every((field) => registration[field] === undefined);
  if (empty) delete org.clickToCall[userId];
  else org.clickToCall[userId] = registration;
}

export const v3EnableClickToDial: V3Handler<'v3EnableClickToDial'> = ({ params, caller, now }) => {
  const authorization = authorizationParam(params.authorizationparam);
  const pairs = pairsParam(params.clicktodialparam, 'clicktodialparam');
  const userId = registeredUser(caller, params.zohouser);
  const registration = registrationOf(caller.org, userId, caller, now.toISOString());
  registration.clicktocallurl = params.clicktodialuri;
  registration.clicktocallparam = pairs;
  if (authorization) registration.authorizationparam = authorization;
  keep(caller.org, userId, registration);
  return success(`${caller.vendor.name} Click to dial has been enabled`);
};

export const v3DisableClickToDial: V3Handler<'v3DisableClickToDial'> = ({ params, caller }) => {
  const userId = registeredUser(caller, params.zohouser);
  const registration = caller.org.clickToCall[userId];
  if (registration?.api === 'v3') {
    delete registration.clicktocallurl;
    registration.clicktocallparam = [];
    keep(caller.org, userId, registration);
  }
  return success(`${caller.vendor.name} Click to dial has been disabled`);
};

export const v3EnableCallControl: V3Handler<'v3EnableCallControl'> = ({ params, caller, now }) => {
  const authorization = authorizationParam(params.authorizationparam);
  const pairs = pairsParam(params.callcontrolparam, 'callcontrolparam');
  const actions = Object.keys(ACTION_URI) as CallControlAction[];
  if (actions.every((action) => params[ACTION_URI[action]] === undefined)) fail('REQUIRED_PARAM_MISSING', { param: 'answeruri' });
  const userId = registeredUser(caller, params.zohouser);
  const registration = registrationOf(caller.org, userId, caller, now.toISOString());
  for (const action of actions) {
    const uri = params[ACTION_URI[action]];
    if (uri === undefined) delete registration[ACTION_URL[action]];
    else registration[ACTION_URL[action]] = uri;
  }
  registration.callcontrolparam = pairs;
  if (authorization) registration.authorizationparam = authorization;
  keep(caller.org, userId, registration);
  return success(`${caller.vendor.name} Call control has been enabled`);
};

export const v3DisableCallControl: V3Handler<'v3DisableCallControl'> = ({ params, caller }) => {
  const userId = registeredUser(caller, params.zohouser);
  const registration = caller.org.clickToCall[userId];
  if (registration?.api === 'v3') {
    for (const field of Object.values(ACTION_URL)) delete registration[field];
    registration.callcontrolparam = [];
    keep(caller.org, userId, registration);
  }
  return success(`${caller.vendor.name} Call control has been disabled`);
};
