import { dict } from '../store/dict.js';
import { fail } from '../errors.js';
import { findUser } from '../crm-lookup.js';
import { parseNameValues } from '../name-value.js';
import { ACTION_URL } from '../outbound/requests.js';
import type { ClickToCallRegistration, NameValue } from '../store/schema.js';
import { checkAccess, success, type Handler } from './context.js';

/** The seven call-control URL fields, as the outbound requests use them. */
const CALL_CONTROL_URLS = Object.values(ACTION_URL);

function nameValues(params: Record<string, unknown>, param: string): NameValue[] {
  if (params[param] === undefined) return [];
  return parseNameValues(params[param]) ?? fail('INVALID_DATA', { param });
}

export const enableClickToCall: Handler = ({ params, caller, store, now }) => {
  const { org, user, vendor } = caller;
  const userIds = typeof params.userid === 'string' ? params.userid.split(',').map((id) => id.trim()).filter(Boolean) : [user.id];
  const sendsCallControl = CALL_CONTROL_URLS.some((name) => params[name] !== undefined);
  const namesOthers = userIds.some((id) => id !== user.id);
  // Malformed parameters first, as for every operation (the document's order of checks).
  const authorization = nameValues(params, 'authorizationparam');
  if (authorization.length > 1) fail('INVALID_DATA', { param: 'authorizationparam' });
  const clicktocallparam = nameValues(params, 'clicktocallparam');
  const callcontrolparam = nameValues(params, 'callcontrolparam');
  checkAccess(caller, { adminOnly: sendsCallControl || namesOthers ? 'NO_PRIVILEGE' : undefined });

  if (userIds.length === 0 || userIds.some((id) => !findUser(org, id)?.active)) fail('INVALID_USER', { pbx: vendor.name });

  const registration: ClickToCallRegistration = {
    clicktocallurl: params.clicktocallurl as string,
    authorizationparam: authorization[0] ?? null,
    clicktocallparam,
    callcontrolparam,
    vendor: vendor.name,
    registeredBy: user.id,
    registeredAt: now().toISOString(),
  };
  for (const name of CALL_CONTROL_URLS) if (typeof params[name] === 'string') registration[name] = params[name];
  for (const id of userIds) org.clickToCall[id] = registration;
  store.changed();
  return success(`${vendor.name} Clicktocall and  Call control functionalities have been enabled`);
};

/** The GET alias real clients use behaves exactly like the POST. */
export const enableClickToCallByGet = enableClickToCall;

export const disableClickToCall: Handler = ({ caller, store }) => {
  checkAccess(caller, { adminOnly: 'NO_PRIVILEGE' });
  caller.org.clickToCall = dict();
  store.changed();
  return success(`${caller.vendor.name} Call control notifications has been disabled for the account successfully`);
};
