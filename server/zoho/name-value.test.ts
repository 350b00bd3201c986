import { describe, expect, it } from 'vitest';
import { parseNameValues } from './name-value.js';

describe('parseNameValues', () => {
  it.each([
    ['strict JSON object', '{"name":"authorization","value":"abc"}', [{ name: 'authorization', value: 'abc' }]],
    [
      'strict JSON array',
      '[{"name":"a","value":"1"},{"name":"b","value":"2"}]',
      [
        { name: 'a', value: '1' },
        { name: 'b', value: '2' },
      ],
    ],
    ['unquoted with spaces (ntidev, DuoSoftware)', '{ name:authorization, value:TOKEN}', [{ name: 'authorization', value: 'TOKEN' }]],
    [
      'the reference example',
      '[{name:pbxuserid,value:pbxuser1234}, {name:emailaddress,value:xyz@pbx.com}]',
      [
        { name: 'pbxuserid', value: 'pbxuser1234' },
        { name: 'emailaddress', value: 'xyz@pbx.com' },
      ],
    ],
    ['value before name', '{value:v, name:n}', [{ name: 'n', value: 'v' }]],
    [
      'a value holding commas and colons',
      '{name:callback,value:https://pbx.example.com/a?x=1,2}',
      [{ name: 'callback', value: 'https://pbx.example.com/a?x=1,2' }],
    ],
    ['the last value runs to the closing brace', '{name:a,value:b,extra:c}', [{ name: 'a', value: 'b,extra:c' }]],
    ['single-quoted values', "{name:'a b',value:'c'}", [{ name: 'a b', value: 'c' }]],
    ['a JSON body object', { name: 'a', value: 'b' }, [{ name: 'a', value: 'b' }]],
    ['a JSON body array with a number', [{ name: 'a', value: 7 }], [{ name: 'a', value: '7' }]],
    ['an empty string', '', []],
  ])('%s', (_title, input, expected) => expect(parseNameValues(input)).toEqual(expected));

  it.each([
    ['unterminated', '{name:a'],
    ['no value', '[{name:a}]'],
    ['no name', '[{value:a}]'],
    ['plain text', 'authorization=abc'],
    ['text around the objects', '{name:a,value:b} trailing'],
    ['an unknown key first', '{extra:c,name:a,value:b}'],
    ['a JSON number', 42],
    ['a JSON object without value', { name: 'a' }],
  ])('malformed: %s -> null', (_title, input) => expect(parseNameValues(input)).toBeNull());
});

// A backtracking pattern took 14 s on 120k spaces; this input would outlast the test timeout.
it('reads input built to make a backtracking pattern slow', () => {
  expect(parseNameValues(`{name:a${' '.repeat(200_000)}b,value:c}`)).toEqual([{ name: `a${' '.repeat(200_000)}b`, value: 'c' }]);
});

it("keeps v3's {to} placeholder, quoted or not, in a value", () => {
  expect(parseNameValues("[{name:callee,value:'{to}'},{name:pbxuserid,value:pbx-42}]")).toEqual([
    { name: 'callee', value: '{to}' },
    { name: 'pbxuserid', value: 'pbx-42' },
  ]);
  expect(parseNameValues('{name:dial,value:sip:{to}@pbx}')).toEqual([{ name: 'dial', value: 'sip:{to}@pbx' }]);
});
