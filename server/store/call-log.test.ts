import { describe, expect, it } from 'vitest';
import { COMPACT_AFTER_BYTES, needsCompaction, replay } from './call-log.js';

const state = (logBytes: number, snapshotBytes: number) => ({ n: 0, logBytes, snapshotBytes, dirty: false });

describe('call-log segments', () => {
  it('compacts a log once it outgrows its snapshot, staggered by segment, never below the floor', () => {
    const snapshot = 1_000_000;
    // At 1.5x its snapshot, the low segments compact and the high ones wait: not all at once.
    const due = Array.from({ length: 16 }, (_, k) => needsCompaction(state(1.5 * snapshot, snapshot), k));
    expect(due.slice(0, 7).every(Boolean)).toBe(true);
    expect(due.slice(8).some(Boolean)).toBe(false);
    expect(needsCompaction(state(2.01 * snapshot, snapshot), 15)).toBe(true);
    expect(needsCompaction(state(COMPACT_AFTER_BYTES - 1, 10), 0)).toBe(false);
    expect(needsCompaction({ ...state(0, 10), dirty: true }, 0)).toBe(true);
  });

  it('replays lines in order: a later line replaces the call and its activities; a null call removes both', () => {
    const line = (c: string, call: unknown, acts: unknown[], n: number) => `${JSON.stringify({ c, call, acts, n })}\n`;
    const log =
      line('a', { callrefid: 'a', v: 1 }, [{ id: 'x1', callrefid: 'a' }], 5) +
      line('a', { callrefid: 'a', v: 2 }, [{ id: 'x2', callrefid: 'a' }], 7) +
      line('b', null, [], 6);
    const snapshot = { calls: { b: { callrefid: 'b' } }, activities: { y: { id: 'y', callrefid: 'b' } }, nextId: 3 } as never;
    const { segment, torn } = replay(snapshot, log, 'log');
    expect(torn).toBe(false);
    expect(Object.keys(segment.calls)).toEqual(['a']);
    expect(segment.calls.a).toMatchObject({ v: 2 });
    expect(Object.keys(segment.activities)).toEqual(['x2']);
    expect(segment.nextId).toBe(7);
    expect(replay(snapshot, `${log}{"c":"z"`, 'log').torn).toBe(true);
  });
});
