import { dict } from '../store/dict.js';
import { fail } from '../errors.js';
import { checkAccess, success, type Handler } from './context.js';

export const enableIntegration: Handler = ({ caller, store, now }) => {
  checkAccess(caller, { adminOnly: 'NOT_ADMIN_FOR_INTEGRATION', integrated: false });
  const { org, vendor, user } = caller;
  if (org.integration?.vendor === vendor.name) fail('PBX_ALREADY_ENABLED', { pbx: vendor.name });
  if (org.integration) fail('DIFFERENT_PBX_ALREADY_ENABLED', { pbx: vendor.name });
  org.integration = { vendor: vendor.name, enabledAt: now().toISOString(), enabledBy: user.id };
  store.changed();
  return success(`${vendor.name} Integration is successful`);
};

export const disableIntegration: Handler = ({ caller, store }) => {
  checkAccess(caller, { adminOnly: 'NOT_ADMIN_FOR_INTEGRATION' });
  const { org, vendor } = caller;
  org.integration = null;
  org.clickToCall = dict();
  store.changed();
  return success(`${vendor.name} Integration has been successfully removed`);
};
