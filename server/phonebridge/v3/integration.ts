import { dict } from '../../store/dict.js';
import { checkAccess, success, V3_CODES } from '../access.js';
import type { V3Handler } from './context.js';

/** Enables the provider; a second POST by the same provider changes nothing and answers the same (see the document). */
export const v3EnableIntegration: V3Handler<'v3EnableIntegration'> = ({ caller, now }) => {
  checkAccess(caller, { adminOnly: 'NOT_ADMIN_FOR_INTEGRATION', integrated: false }, V3_CODES);
  const { org, vendor, user } = caller;
  if (org.integration) {
    // Idempotent, as vendors report the live API; the journal says so (v2 would answer 403 PBX_ALREADY_ENABLED).
    const warning = {
      code: 'already-enabled',
      message: `${vendor.name} was already enabled for the org (since ${org.integration.enabledAt}); nothing changed`,
    };
    return { ...success(`${vendor.name} Integration is successful`), warnings: [warning] };
  }
  org.integration = { vendor: vendor.name, enabledAt: now.toISOString(), enabledBy: user.id };
  return success(`${vendor.name} Integration is successful`);
};

/** Disables the provider and drops every registration of the org (decided: as v2 documents). */
export const v3DisableIntegration: V3Handler<'v3DisableIntegration'> = ({ caller }) => {
  checkAccess(caller, { adminOnly: 'NOT_ADMIN_FOR_INTEGRATION' }, V3_CODES);
  const { org, vendor } = caller;
  org.integration = null;
  org.clickToCall = dict();
  return success(`${vendor.name} Integration has been successfully removed`);
};
