import type { CustomFormats } from '../openapi/ajv.js';

/** Zoho's GMT `yyyy-MM-dd HH:mm:ss` as ISO 8601 (`2026-11-26T10:00:00Z`). */
export const gmtToIso = (value: string) => `${value.replace(' ', 'T')}Z`;

/** The formats Zoho's documents use beyond the standard ones. */
export const ZOHO_FORMATS: CustomFormats = {
  /** `yyyy-MM-dd HH:mm:ss` naming a real moment (the pattern alone lets 30 February through). */
  'zoho-datetime': (text) => {
    const iso = gmtToIso(text);
    const parsed = new Date(iso);
    return !Number.isNaN(parsed.getTime()) && parsed.toISOString().slice(0, 19) === iso.slice(0, 19);
  },
};
