import { describe, expect, it } from 'vitest';
import { PhoneIndex, phoneDigits, phonesMatch } from './phone.js';

describe('phoneDigits', () => {
  it.each([
    ['0018885554567', '18885554567'],
    ['+1 888-555-4567', '18885554567'],
    [' 33612345678', '33612345678'],
    ['(06) 12.34.56.78', '0612345678'],
    ['100', '100'],
  ])('%s -> %s', (raw, digits) => expect(phoneDigits(raw)).toBe(digits));
});

describe('phonesMatch', () => {
  it.each([
    ['same digits, other punctuation', '+1 888 555 4567', '0018885554567'],
    ['national vs international (US)', '8885554567', '+18885554567'],
    ['national with trunk 0 vs international (FR)', '06 12 34 56 78', '+33 6 12 34 56 78'],
    ['three-digit country code', '0501234567', '+971501234567'],
    ['an extension, exactly', '100', '100'],
  ])('match: %s', (_title, a, b) => {
    expect(phonesMatch(a, b)).toBe(true);
    expect(phonesMatch(b, a)).toBe(true);
  });

  it.each([
    ['different numbers', '+1 888 555 4567', '+1 888 555 4568'],
    ['an extension is not a suffix match', '4567', '+1 888 555 4567'],
    ['too short to be a national number', '5554567', '+1 888 555 4567'],
    ['left-over prefix longer than a country code', '5554567', '+44 20 7946 5554567'],
    ['empty', '', '+1 888 555 4567'],
  ])('no match: %s', (_title, a, b) => expect(phonesMatch(a, b)).toBe(false));
});

describe('PhoneIndex', () => {
  it('finds every matching item once, in insertion order, without false hits', () => {
    const index = new PhoneIndex<string>();
    index.add('+1 888 555 4567', 'lead');
    index.add('0018885554567', 'contact');
    index.add('8885554567', 'contact'); // the same contact's mobile
    index.add('+1 777 555 4567', 'other'); // same last 7 digits, other number
    index.add(null, 'nothing');
    expect(index.find('(888) 555-4567')).toEqual(['lead', 'contact']);
    expect(index.find('+17775554567')).toEqual(['other']);
    expect(index.find('4567')).toEqual([]);
  });
});
