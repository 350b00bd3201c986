import { describe, expect, it } from 'vitest';
import { readConfig } from './config.js';

describe('readConfig', () => {
  it('defaults make a bare start work', () => {
    expect(readConfig({})).toMatchObject({
      port: 4010,
      host: '127.0.0.1',
      dbPath: '.data/phonebridge.json',
      seed: 42,
      tokenTtlSeconds: 3600,
      autoConsent: false,
      legacyExpires: false,
      webhook: { timeoutMs: 5000, retries: 0, allowHosts: undefined },
    });
  });

  it.each([
    [{ CI: 'true' }, true],
    [{ NODE_ENV: 'test' }, true],
    [{ CI: 'true', PHONEBRIDGE_AUTO_CONSENT: '0' }, false],
    [{ PHONEBRIDGE_AUTO_CONSENT: '1' }, true],
  ])('auto-consent with %j -> %s', (env, expected) => {
    expect(readConfig(env).autoConsent).toBe(expected);
  });

  it('lists are comma-separated and trimmed', () => {
    expect(readConfig({ PHONEBRIDGE_WEBHOOK_ALLOW: ' pbx.example.com, 127.0.0.1:9000 ', PHONEBRIDGE_REDIRECT_URIS: 'http://a/cb,' })).toMatchObject({
      webhook: { allowHosts: ['pbx.example.com', '127.0.0.1:9000'] },
      redirectUris: ['http://a/cb'],
    });
  });

  it('an empty PHONEBRIDGE_WEBHOOK_ALLOW allows any registered URL, as unset does', () => {
    expect(readConfig({ PHONEBRIDGE_WEBHOOK_ALLOW: '' }).webhook.allowHosts).toBeUndefined();
  });

  it.each([
    ['PORT', 'eighty', /PORT must be an integer/],
    ['PHONEBRIDGE_TOKEN_TTL', '0', /PHONEBRIDGE_TOKEN_TTL must be an integer from 1/],
    ['PHONEBRIDGE_LEGACY_EXPIRES', 'maybe', /PHONEBRIDGE_LEGACY_EXPIRES must be 1 or 0/],
  ])('a bad %s is refused with a clear message', (name, value, message) => {
    expect(() => readConfig({ [name]: value })).toThrow(message);
  });
});
