import { findCustomer } from '../../crm/lookup.js';
import { JSON_TYPE } from '../../openapi/prefer.js';
import { fail } from '../../zoho/errors.js';
import { checkAccess } from '../access.js';
import { attachRecording } from '../calls.js';
import type { V2Handler } from './context.js';

export const listUsers: V2Handler<'listUsers'> = ({ caller }) => {
  checkAccess(caller);
  const users = caller.org.users.filter((u) => u.active).map((u) => ({ userid: u.id, username: u.name, email: u.email }));
  return { status: 200, body: { users } };
};

export const getCallerDetails: V2Handler<'getCallerDetails'> = ({ params, caller }) => {
  checkAccess(caller);
  const match = findCustomer(caller.org, params.phonenumber);
  // Zoho answers 204 with an empty body but still a JSON content type.
  if (match.records.length === 0) return { status: 204, headers: { 'Content-Type': JSON_TYPE } };
  return { status: 200, body: { data: match.entities() } };
};

export const updateVoiceUrl: V2Handler<'updateVoiceUrl'> = ({ params, caller }) => {
  checkAccess(caller);
  const { org } = caller;
  const log = org.calls[params.callrefid] ?? fail('UNKNOWN_CALLREFID', { param: 'callrefid' });
  attachRecording(org, log, params.voiceurl);
  return { status: 200, body: { status: 'success', code: 'SUCCESS' } };
};
