import { fail } from '../errors.js';
import { findCaller } from '../crm-lookup.js';
import { checkAccess, type Handler } from './context.js';

export const listUsers: Handler = ({ caller }) => {
  checkAccess(caller);
  const users = caller.org.users.filter((u) => u.active).map((u) => ({ userid: u.id, username: u.name, email: u.email }));
  return { status: 200, body: { users } };
};

export const getCallerDetails: Handler = ({ params, caller }) => {
  checkAccess(caller);
  const match = findCaller(caller.org, params.phonenumber as string);
  if (match.records.length === 0) {
    // Zoho answers 204 with an empty body but still a JSON content type.
    return { status: 204, headers: { 'Content-Type': 'application/json;charset=utf-8' } };
  }
  return { status: 200, body: { data: match.entities() } };
};

export const updateVoiceUrl: Handler = ({ params, caller, store }) => {
  checkAccess(caller);
  const { org } = caller;
  const log = org.calls[params.callrefid as string] ?? fail('UNKNOWN_CALLREFID', { param: 'callrefid' });
  log.voiceurl = params.voiceurl as string;
  const activity = log.activityId ? org.activities[log.activityId] : undefined;
  if (activity) activity.voiceurl = log.voiceurl;
  store.changed();
  return { status: 200, body: { status: 'success', code: 'SUCCESS' } };
};
