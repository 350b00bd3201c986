import { findUser } from '../../crm/lookup.js';
import { ACTION_URL } from '../../outbound/requests.js';
import { dict } from '../../store/dict.js';
import type { ClickToCallRegistration } from '../../store/schema.js';
import { fail } from '../../zoho/errors.js';
import { checkAccess, success } from '../access.js';
import type { V2Handler } from './context.js';
import { authorizationParam, pairsParam } from '../../zoho/name-value.js';

/** The seven call-control URL fields, as the outbound requests use them. */
const CALL_CONTROL_URLS = Object.values(ACTION_URL);

/** Registers click-to-call (and call control) for the caller, or for the users it names. */
const registerClickToCall: V2Handler<'enableClickToCall'> & V2Handler<'enableClickToCallByGet'> = ({ params, caller, now }) => {
  const { org, user, vendor } = caller;
  const userIds =
    params.userid !== undefined
      ? params.userid
          .split(',')
          .map((id) => id.trim())
          .filter(Boolean)
      : [user.id];
  const sendsCallControl = CALL_CONTROL_URLS.some((name) => params[name] !== undefined);
  const namesOthers = userIds.some((id) => id !== user.id);
  // Malformed parameters first, as for every operation (the document's order of checks).
  const authorization = authorizationParam(params.authorizationparam);
  const clicktocallparam = pairsParam(params.clicktocallparam, 'clicktocallparam');
  const callcontrolparam = pairsParam(params.callcontrolparam, 'callcontrolparam');
  checkAccess(caller, { adminOnly: sendsCallControl || namesOthers ? 'NO_PRIVILEGE' : undefined });

  if (userIds.length === 0 || userIds.some((id) => !findUser(org, id)?.active)) fail('INVALID_USER', { pbx: vendor.name });

  const registration: ClickToCallRegistration = {
    clicktocallurl: params.clicktocallurl,
    authorizationparam: authorization ?? null,
    clicktocallparam,
    callcontrolparam,
    vendor: vendor.name,
    registeredBy: user.id,
    registeredAt: now.toISOString(),
  };
  for (const name of CALL_CONTROL_URLS) {
    const url = params[name];
    if (url !== undefined) registration[name] = url;
  }
  for (const id of userIds) org.clickToCall[id] = registration;
  return success(`${vendor.name} Clicktocall and  Call control functionalities have been enabled`);
};

export const enableClickToCall: V2Handler<'enableClickToCall'> = registerClickToCall;
/** The GET alias real clients use behaves exactly like the POST. */
export const enableClickToCallByGet: V2Handler<'enableClickToCallByGet'> = registerClickToCall;

export const disableClickToCall: V2Handler<'disableClickToCall'> = ({ caller }) => {
  checkAccess(caller, { adminOnly: 'NO_PRIVILEGE' });
  caller.org.clickToCall = dict();
  return success(`${caller.vendor.name} Call control notifications has been disabled for the account successfully`);
};
