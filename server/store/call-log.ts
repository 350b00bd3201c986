/**
 * An org's call log on disk: SEGMENTS files by callrefid hash, each a snapshot
 * plus an append-only log of the calls changed since.
 *
 * A call event appends one line (the call as it now is, with its activities)
 * to its segment's log: a save costs what changed, not the size of the log.
 * When a log outgrows its snapshot, the segment is compacted: a new snapshot
 * naming the next log is written (atomically, by rename), then the old log
 * goes. A crash leaves a snapshot with the log it names, whole, or with a torn
 * last line (a write that was never acknowledged: lines are answered only once
 * whole), which is dropped and the segment compacted at start. A log that failed to append (a full disk) is not
 * appended to again: the segment's next save compacts it.
 */
import type { CallActivity, CallLog, Org } from './schema.js';
import { dict } from './dict.js';
import { segmentOf, SEGMENTS, type CallSegment } from './layout.js';

/** One line of a segment's log: a call's whole state now (null: gone), with its activities. */
export interface CallLine {
  c: string;
  call: CallLog | null;
  acts: CallActivity[];
  /** The org's next id when the line was written: an activity made by a call event moves it. */
  n: number;
}

/** A log is compacted once it holds more than its snapshot (see needsCompaction), and at least this much. */
export const COMPACT_AFTER_BYTES = 64 * 1024;

/** The log file a segment's snapshot names: `...calls.<t>.<org>.<gen>.<k>.json` -> `...<k>.<n>.log`. */
export function logName(segmentName: string, n: number): string {
  return segmentName.replace(/\.json$/, `.${n}.log`);
}

/** What the store keeps of each segment file between saves. */
export interface SegmentState {
  /** The log the snapshot names. */
  n: number;
  logBytes: number;
  snapshotBytes: number;
  /** The next save must rewrite it whole (its log may end in a torn line). */
  dirty: boolean;
}

/**
 * Segment k compacts once its log holds (1 + (k+1)/SEGMENTS) times its snapshot: staggered, so an org's
 * segments (filled alike by hashing) do not all compact in the same second, each on the request path.
 */
export function needsCompaction(state: SegmentState, k: number): boolean {
  return state.dirty || state.logBytes > Math.max(COMPACT_AFTER_BYTES, state.snapshotBytes * (1 + (k + 1) / SEGMENTS));
}

/** The lines for the given calls of one org, as they are now: each call with the activity it names (a call has at most one). */
export function callLines(org: Org, callrefids: Iterable<string>): string {
  let text = '';
  for (const c of new Set(callrefids)) {
    const call = org.calls[c] ?? null;
    const activity = call?.activityId ? org.activities[call.activityId] : undefined;
    text += `${JSON.stringify({ c, call, acts: activity ? [activity] : [], n: org.nextId } satisfies CallLine)}\n`;
  }
  return text;
}

/** Groups callrefids by the segment they live in. */
export function bySegment(callrefids: Iterable<string>): Map<number, string[]> {
  const groups = new Map<number, string[]>();
  for (const id of callrefids) {
    const k = segmentOf(id);
    const group = groups.get(k);
    if (group) group.push(id);
    else groups.set(k, [id]);
  }
  return groups;
}

/**
 * A snapshot with its log applied, in order. What follows the last newline was
 * cut short and is dropped (`torn`); a whole line that is not JSON means the
 * file was damaged, and is refused naming `describe`.
 */
export function replay(snapshot: CallSegment, log: string, describe: string): { segment: CallSegment; torn: boolean } {
  const calls = dict<CallLog>();
  Object.assign(calls, snapshot.calls);
  const activities = dict<CallActivity>();
  Object.assign(activities, snapshot.activities);
  let nextId = snapshot.nextId ?? 0;
  if (log === '') return { segment: { calls, activities, nextId }, torn: false };
  const byCall = new Map<string, string[]>();
  for (const activity of Object.values(activities)) byCall.set(activity.callrefid, [...(byCall.get(activity.callrefid) ?? []), activity.id]);
  const lines = log.split('\n');
  // Every whole line ends with a newline: what follows the last one was cut short.
  const tail = lines.pop()!;
  const torn = tail !== '';
  lines.forEach((text, i) => {
    let line: CallLine;
    try {
      line = JSON.parse(text) as CallLine;
    } catch {
      throw new Error(`${describe} is damaged at line ${i + 1}; move the database away to start afresh`);
    }
    if (line.call) calls[line.c] = line.call;
    else delete calls[line.c];
    for (const id of byCall.get(line.c) ?? []) delete activities[id];
    for (const activity of line.acts) activities[activity.id] = activity;
    byCall.set(
      line.c,
      line.acts.map((a) => a.id),
    );
    nextId = Math.max(nextId, line.n);
  });
  return { segment: { calls, activities, nextId }, torn };
}

/** Segment k of an org as a snapshot naming log `n`. */
export function snapshotOf(org: Org, k: number, n: number): CallSegment {
  const calls = dict<CallLog>();
  for (const [id, log] of Object.entries(org.calls)) if (segmentOf(id) === k) calls[id] = log;
  const activities = dict<CallActivity>();
  for (const [id, activity] of Object.entries(org.activities)) if (segmentOf(activity.callrefid) === k) activities[id] = activity;
  return { calls, activities, log: n, nextId: org.nextId };
}
