import type { CustomFormats } from '../openapi/ajv.js';

/** The formats Zoho's documents use beyond the standard ones. */
export const ZOHO_FORMATS: CustomFormats = {
  /** `yyyy-MM-dd HH:mm:ss` naming a real moment (the pattern alone lets 30 February through). */
  'zoho-datetime': (text) => {
    const iso = `${text.replace(' ', 'T')}Z`;
    const parsed = new Date(iso);
    return !Number.isNaN(parsed.getTime()) && parsed.toISOString().slice(0, 19) === iso.slice(0, 19);
  },
};
