import { expect, it } from 'vitest';
import { mergeRequestParams } from './request-params.js';

it('merges query and body, the body winning, and drops empty values', () => {
  expect(mergeRequestParams({ a: '1', b: 'q', c: '' }, { b: 'body', d: 4, e: '' })).toEqual({ a: '1', b: 'body', d: 4 });
});

it('ignores a body that is not an object', () => {
  expect(mergeRequestParams({ a: '1' }, 'text')).toEqual({ a: '1' });
  expect(mergeRequestParams({ a: '1' }, [1, 2])).toEqual({ a: '1' });
  expect(mergeRequestParams(undefined, undefined)).toEqual({});
});

it('ignores a "__proto__" field, so it cannot lend the object inherited fields', () => {
  const merged = mergeRequestParams({}, JSON.parse('{"__proto__": {"callrefid": "x"}, "a": "1"}'));
  expect(Object.getPrototypeOf(merged)).toBe(Object.prototype);
  expect((merged as { callrefid?: string }).callrefid).toBeUndefined();
  expect(merged).toEqual({ a: '1' });
});

it('drops fields named like Object.prototype members', () => {
  expect(mergeRequestParams({ toString: '1', valueOf: '2', constructor: '3', callrefid: 'c' }, { hasOwnProperty: 'x' })).toEqual({ callrefid: 'c' });
});
