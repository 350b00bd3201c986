import { describe, expect, it } from 'vitest';
import { scopeAllows } from './auth.js';

describe('scopeAllows', () => {
  it.each([
    [['ZohoCRM.crmphonebridge.ALL'], true, true],
    [['ZohoCRM.crmphonebridge.ALL'], false, true],
    [['ZohoCRM.crmphonebridge.READ'], true, true],
    [['ZohoCRM.crmphonebridge.READ'], false, false],
    [['ZohoCRM.crmphonebridge.CREATE'], false, true],
    [['ZohoCRM.crmphonebridge.CREATE'], true, false],
    [[' zohocrm.CRMPHONEBRIDGE.all '], false, true],
    [['ZohoCRM.modules.ALL'], true, false],
    [[], true, false],
  ])('%j for a %s operation -> %s', (scopes, readOnly, allowed) => {
    expect(scopeAllows(scopes, readOnly)).toBe(allowed);
  });
});
