/**
 * Phone number matching, as documented in openapi/phonebridge.yaml
 * ("Phone number matching"): digits only, a leading 00 dropped; a national
 * number (less one trunk 0, at least 7 digits) matches its international form
 * when what is left over is a 1 to 3 digit country code.
 */

const MIN_NATIONAL_DIGITS = 7;
const MAX_COUNTRY_CODE_DIGITS = 3;

/** `+33 6 12-34` -> `336 1234`'s digits; `0018885554567` -> `18885554567`. */
export function phoneDigits(raw: string): string {
  const digits = raw.replace(/\D/g, '');
  return digits.startsWith('00') ? digits.slice(2) : digits;
}

export function phonesMatch(a: string, b: string): boolean {
  return digitsMatch(phoneDigits(a), phoneDigits(b));
}

function digitsMatch(a: string, b: string): boolean {
  if (a === '' || b === '') return false;
  if (a === b) return true;
  const [shorter, longer] = a.length < b.length ? [a, b] : [b, a];
  const national = shorter.startsWith('0') ? shorter.slice(1) : shorter;
  const countryCodeLength = longer.length - national.length;
  return national.length >= MIN_NATIONAL_DIGITS && countryCodeLength >= 0 && countryCodeLength <= MAX_COUNTRY_CODE_DIGITS && longer.endsWith(national);
}

/** The key two matching numbers always share: their last 7 digits, or all of a short one. */
function bucketKey(digits: string): string {
  return digits.length >= MIN_NATIONAL_DIGITS ? digits.slice(-MIN_NATIONAL_DIGITS) : `=${digits}`;
}

/** Finds the items whose numbers match a phone number without scanning them all. */
export class PhoneIndex<T> {
  readonly #buckets = new Map<string, { digits: string; item: T }[]>();

  add(raw: string | null | undefined, item: T): void {
    if (!raw) return;
    const digits = phoneDigits(raw);
    if (digits === '') return;
    const key = bucketKey(digits);
    const bucket = this.#buckets.get(key);
    if (bucket) bucket.push({ digits, item });
    else this.#buckets.set(key, [{ digits, item }]);
  }

  /** Each matching item once, in the order they were added. */
  find(raw: string): T[] {
    const digits = phoneDigits(raw);
    const bucket = this.#buckets.get(bucketKey(digits)) ?? [];
    const found = new Set<T>();
    for (const entry of bucket) if (digitsMatch(digits, entry.digits)) found.add(entry.item);
    return [...found];
  }
}
