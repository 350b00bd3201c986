import { describe, expect, it } from 'vitest';
import { nestedDeeperThan } from './body.js';

describe('nestedDeeperThan', () => {
  const nest = (depth: number): unknown => (depth === 0 ? 'leaf' : { a: nest(depth - 1) });
  it.each([
    [undefined, 1, false],
    ['text', 0, false],
    [{ a: 1 }, 1, false],
    [{ a: { b: 1 } }, 1, true],
    [[[[]]], 2, true],
    [nest(16), 16, false],
    [nest(17), 16, true],
  ])('%j deeper than %s -> %s', (value, max, deeper) => {
    expect(nestedDeeperThan(value, max)).toBe(deeper);
  });

  it('measures 100,000 levels without running out of stack', () => {
    let deep: unknown = 1;
    for (let i = 0; i < 100_000; i++) deep = [deep];
    expect(nestedDeeperThan(deep, 16)).toBe(true);
  });
});
