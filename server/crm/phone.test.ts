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

/**
 * One block per matching rule of the document ("Phone number matching"); each
 * block fails when its rule alone is broken (the numbers are chosen so that no
 * other rule decides the case).
 */
describe('phonesMatch', () => {
  const both = (a: string, b: string) => [phonesMatch(a, b), phonesMatch(b, a)];

  it.each([
    ['spaces and dashes', '+1 888-555-4567', '18885554567'],
    ['dots and brackets', '(888) 555.4567', '8885554567'],
    ['the leading space of an un-encoded +', ' 18885554567', '+1 888 555 4567'],
  ])('punctuation is ignored: %s', (_title, a, b) => expect(both(a, b)).toEqual([true, true]));

  it('a leading 00 is dropped: 0044 20... matches the national 020..., which is 2 digits of country code away only without the 00', () => {
    expect(both('0044 20 7946 0958', '020 7946 0958')).toEqual([true, true]);
  });

  it('one trunk 0 is dropped from a national number: 06 12 34 56 78 matches +33 6 12 34 56 78', () => {
    expect(both('06 12 34 56 78', '+33 6 12 34 56 78')).toEqual([true, true]);
  });

  it.each([
    ['7 digits, the least a national number has', '1234567', '+44 1234567', true],
    ['6 digits are too few, even one country code digit away', '123456', '+4 123456', false],
  ])('national numbers need at least 7 digits: %s', (_title, a, b, match) => expect(both(a, b)).toEqual([match, match]));

  it.each([
    ['a 1-digit country code', '8885554567', '+18885554567', true],
    ['a 3-digit country code', '0501234567', '+971501234567', true],
    ['4 digits left over are no country code', '5554567', '+1 888 555 4567', false],
    ['far more left over', '5554567', '+44 20 7946 5554567', false],
  ])('what is left over must be a country code of 1 to 3 digits: %s', (_title, a, b, match) => expect(both(a, b)).toEqual([match, match]));

  it.each([
    ['an extension matches itself', '100', '100', true],
    ['an extension is not a suffix of a number', '4567', '+1 888 555 4567', false],
    ['nor of a longer extension', '100', '2100', false],
  ])('extensions match only exactly: %s', (_title, a, b, match) => expect(both(a, b)).toEqual([match, match]));

  it.each([
    ['different numbers', '+1 888 555 4567', '+1 888 555 4568'],
    ['empty', '', '+1 888 555 4567'],
    ['no digits at all', '+ - ()', '+ - ()'],
  ])('no match: %s', (_title, a, b) => expect(both(a, b)).toEqual([false, false]));
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
