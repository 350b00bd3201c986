import { dict } from '../../store/dict.js';
import { fail } from '../../zoho/errors.js';
import { checkAccess, success } from '../access.js';
import type { V2Handler } from './context.js';

export const enableIntegration: V2Handler<'enableIntegration'> = ({ caller, now }) => {
  checkAccess(caller, { adminOnly: 'NOT_ADMIN_FOR_INTEGRATION', integrated: false });
  const { org, vendor, user } = caller;
  if (org.integration?.vendor === vendor.name) fail('PBX_ALREADY_ENABLED', { pbx: vendor.name });
  if (org.integration) fail('DIFFERENT_PBX_ALREADY_ENABLED', { pbx: vendor.name });
  org.integration = { vendor: vendor.name, enabledAt: now.toISOString(), enabledBy: user.id };
  return success(`${vendor.name} Integration is successful`);
};

export const disableIntegration: V2Handler<'disableIntegration'> = ({ caller }) => {
  checkAccess(caller, { adminOnly: 'NOT_ADMIN_FOR_INTEGRATION' });
  const { org, vendor } = caller;
  org.integration = null;
  org.clickToCall = dict();
  return success(`${vendor.name} Integration has been successfully removed`);
};
