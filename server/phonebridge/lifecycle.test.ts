import { describe, expect, it } from 'vitest';
import type { CallEventType, CallLog } from '../store/schema.js';
import { lifecycleWarnings, type LifecycleInput, type LifecycleWarning } from './lifecycle.js';

const NOW = new Date('2026-11-26T12:00:00Z');
const ID = 'call-1';

/** `yyyy-MM-dd HH:mm:ss` GMT, `agoSeconds` before NOW. */
const gmt = (agoSeconds: number) =>
  new Date(NOW.getTime() - agoSeconds * 1000)
    .toISOString()
    .replace('T', ' ')
    .replace(/\.\d+Z$/, '');

/** An ISO time `agoSeconds` before NOW, as CallEvent.at. */
const iso = (agoSeconds: number) => new Date(NOW.getTime() - agoSeconds * 1000).toISOString();

type Step = [type: CallEventType, fields?: Record<string, unknown>, agoSeconds?: number];

/** The state recordCallEvent leaves after an event (calls.ts: STATE_AFTER, stateAfterDial). */
function stateAfter(type: CallEventType, fields: Record<string, unknown>): CallLog['state'] {
  if (type !== 'dialed') return ({ received: 'ringing', answered: 'answered', missed: 'missed', hungup: 'ended' } as const)[type];
  const status = fields.customerstatus;
  if (status === 'success' || status === 'inprogress') return 'answered';
  return status === undefined ? 'dialing' : 'ended';
}

/** A call log built by hand, as the mock would have recorded `steps` (each `agoSeconds` before NOW, default 0). */
function callLog(steps: Step[], overrides: Partial<CallLog> = {}): CallLog {
  const direction = steps[0]?.[0] === 'dialed' ? 'outbound' : 'inbound';
  const log: CallLog = {
    callrefid: ID,
    direction,
    state: 'ringing',
    fromnumber: '+18885554567',
    tonumber: '100',
    userId: '3235140000000152002',
    record: null,
    transferredFrom: null,
    transferredTo: [],
    voiceurl: null,
    events: [],
    activityId: null,
  };
  for (const [type, fields = {}, ago = 0] of steps) {
    log.state = stateAfter(type, fields);
    log.events.push({ type, at: iso(ago), params: { callrefid: ID, ...fields } });
  }
  return { ...log, ...overrides };
}

/** The warnings one event raises on top of `before` (undefined: a call the mock never saw). */
function check(type: CallEventType, fields: Record<string, unknown> = {}, before?: Step[], extra: Partial<LifecycleInput> = {}): LifecycleWarning[] {
  const existing = before && callLog(before);
  const calls: Record<string, CallLog> = existing ? { [ID]: existing } : {};
  return lifecycleWarnings({ type, callrefid: ID, fields: { callrefid: ID, ...fields }, existing, calls, now: NOW, ...extra });
}

/** Every warning a whole call raises, event by event, the log growing as recordCallEvent grows it; all events arrive at NOW, back to back. */
function replay(steps: Step[], calls: Record<string, CallLog> = {}): LifecycleWarning[] {
  const warnings: LifecycleWarning[] = [];
  steps.forEach(([type, fields = {}], i) => {
    const existing = i === 0 ? undefined : callLog(steps.slice(0, i));
    warnings.push(
      ...lifecycleWarnings({
        type,
        callrefid: ID,
        fields: { callrefid: ID, ...fields },
        existing,
        calls: existing ? { ...calls, [ID]: existing } : calls,
        now: NOW,
      }),
    );
  });
  return warnings;
}

const hungup = (duration: number, agoStart = duration, direction = 'inbound') => ({ duration, callstarttime: gmt(agoStart), direction });

describe('a correct lifecycle raises nothing', () => {
  it.each<[string, Step[]]>([
    ['received -> answered -> hungup', [['received'], ['answered'], ['hungup', hungup(30)]]],
    ['received -> missed', [['received'], ['missed', { callmissedtime: gmt(0) }]]],
    [
      'dialed -> dialed(success) -> hungup',
      [
        ['dialed', { customerstatus: 'inprogress' }],
        ['dialed', { customerstatus: 'success' }],
        ['hungup', hungup(12, 12, 'outbound')],
      ],
    ],
    [
      'received -> missed(sequential) -> missed(sequential) -> missed',
      [['received'], ['missed', { sequential: true }], ['missed', { sequential: 'true' }], ['missed', { sequential: false }]],
    ],
    [
      'received -> missed(sequential) -> answered -> hungup: the ring group found an agent',
      [['received'], ['missed', { sequential: true }], ['answered'], ['hungup', hungup(5)]],
    ],
    ['received -> hungup after 0 s: the caller gave up', [['received'], ['hungup', hungup(0)]]],
  ])('%s', (_title, steps) => expect(replay(steps)).toEqual([]));

  it('a transfer whose transfercallrefid the org has', () => {
    const source = { ...callLog([['received'], ['answered']]), callrefid: 'call-0' };
    expect(
      replay(
        [
          ['received', { transfercallrefid: 'call-0' }],
          ['answered', { transfercallrefid: 'call-0' }],
          ['hungup', hungup(3)],
        ],
        { 'call-0': source },
      ),
    ).toEqual([]);
  });
});

describe('never-rang', () => {
  it('callanswered for a call the mock never saw: callreceived was expected', () => {
    const [w, ...rest] = check('answered');
    expect(rest).toEqual([]);
    expect(w!.code).toBe('never-rang');
    expect(w!.message).toContain('callanswered for callrefid call-1');
    expect(w!.message).toContain('expects callreceived first for an inbound call');
  });

  it('an outbound callhungup for a call the mock never saw: calldialed was expected', () => {
    expect(check('hungup', hungup(0, 0, 'outbound'))).toEqual([
      { code: 'never-rang', message: expect.stringContaining('expects calldialed first for an outbound call') },
    ]);
  });

  it('callmissed for a call the mock never saw', () => {
    expect(check('missed', { callmissedtime: gmt(0) }).map((w) => w.code)).toEqual(['never-rang']);
  });

  it.each<CallEventType>(['received', 'dialed'])('counterpart: call%s starts a call', (type) => {
    expect(check(type, type === 'dialed' ? { customerstatus: 'inprogress' } : {})).toEqual([]);
  });
});

describe('after-end', () => {
  it('callanswered after callhungup', () => {
    const [w, ...rest] = check('answered', {}, [['received'], ['answered'], ['hungup', hungup(0)]]);
    expect(rest).toEqual([]);
    expect(w!.code).toBe('after-end');
    expect(w!.message).toContain('callanswered for callrefid call-1 after the call ended');
    expect(w!.message).toContain(`state 'ended', callhungup at ${iso(0)}`);
  });

  it('callhungup after callmissed: Zoho takes one or the other', () => {
    expect(check('hungup', hungup(0), [['received'], ['missed']])).toEqual([
      { code: 'after-end', message: expect.stringContaining(`callhungup for callrefid call-1 after the call ended (state 'missed', callmissed at`) },
    ]);
  });

  it("counterpart: callhungup after calldialed(busy), whose state is 'ended' but only the hangup ends the call", () => {
    expect(check('hungup', hungup(0, 0, 'outbound'), [['dialed', { customerstatus: 'busy' }]])).toEqual([]);
  });

  it('counterpart: callmissed after sequential callmissed, whose state is missed', () => {
    expect(check('missed', {}, [['received'], ['missed', { sequential: 'TRUE' }]])).toEqual([]);
  });
});

describe('duration-mismatch', () => {
  const codes = (ws: LifecycleWarning[]) => ws.map((w) => w.code);
  const answeredCall: Step[] = [['received'], ['answered']];

  it('a duration longer than the time since callstarttime (beyond the 5 s tolerance)', () => {
    const [w, ...rest] = check('hungup', hungup(60, 10), answeredCall);
    expect(rest).toEqual([]);
    expect(w!.code).toBe('duration-mismatch');
    expect(w!.message).toContain('callhungup for callrefid call-1');
    expect(w!.message).toContain(`duration 60 s is longer than the 10 s between callstarttime ${gmt(10)} GMT and the hangup`);
  });

  it('counterpart: a duration up to 5 s longer than the time since callstarttime (whole seconds, clock skew)', () => {
    expect(check('hungup', hungup(15, 10), answeredCall)).toEqual([]);
  });

  it('a callstarttime after the hangup arrived', () => {
    expect(check('hungup', hungup(0, -60), answeredCall)).toEqual([
      { code: 'duration-mismatch', message: expect.stringContaining(`callstarttime ${gmt(-60)} GMT is 60 s after the hangup arrived (${NOW.toISOString()})`) },
    ]);
  });

  it('counterpart: a callstarttime equal to the arrival, duration 0', () => {
    expect(check('hungup', hungup(0, 0), answeredCall)).toEqual([]);
  });

  it('duration 0 for a call answered 60 s before the hangup', () => {
    const [w] = check('hungup', hungup(0, 90), [
      ['received', {}, 90],
      ['answered', {}, 60],
    ]);
    expect(w).toEqual({
      code: 'duration-mismatch',
      message: expect.stringContaining('duration 0 s, but the call was answered 60 s before the hangup arrived'),
    });
  });

  it('counterpart: the answered -> hangup gap matches the duration, within 5 s', () => {
    expect(
      check('hungup', hungup(57, 90), [
        ['received', {}, 90],
        ['answered', {}, 60],
      ]),
    ).toEqual([]);
  });

  it('counterpart: outbound, counted from calldialed(success), not from inprogress', () => {
    expect(
      check('hungup', hungup(10, 40, 'outbound'), [
        ['dialed', { customerstatus: 'inprogress' }, 40],
        ['dialed', { customerstatus: 'success' }, 10],
      ]),
    ).toEqual([]);
  });

  it('a duration for a call that was never answered', () => {
    expect(check('hungup', hungup(42), [['received']])).toEqual([
      { code: 'duration-mismatch', message: expect.stringContaining("duration 42 s, but the call was never answered (state 'ringing')") },
    ]);
  });

  it('a duration for an outbound call the customer never answered (busy)', () => {
    expect(codes(check('hungup', hungup(42, 42, 'outbound'), [['dialed', { customerstatus: 'busy' }]]))).toEqual(['duration-mismatch']);
  });

  it('counterpart: duration 0 for a call that was never answered', () => {
    expect(check('hungup', hungup(0), [['received']])).toEqual([]);
  });

  it('a duration given as a numeric string is read too', () => {
    expect(codes(check('hungup', { ...hungup(0, 10), duration: '60' }, answeredCall))).toEqual(['duration-mismatch']);
  });

  it('counterpart: events back to back (the same instant) with any consistent duration', () => {
    expect(check('hungup', hungup(3600), answeredCall)).toEqual([]);
  });
});

describe('transfer-unknown', () => {
  it('a transfercallrefid the org does not have', () => {
    expect(check('received', { transfercallrefid: 'call-0' })).toEqual([
      { code: 'transfer-unknown', message: "transfercallrefid 'call-0' of callrefid call-1 names no call in the org's call log." },
    ]);
  });

  it('counterpart: a transfercallrefid the org has', () => {
    expect(check('received', { transfercallrefid: 'call-0' }, undefined, { calls: { 'call-0': { ...callLog([['received']]), callrefid: 'call-0' } } })).toEqual(
      [],
    );
  });

  it('counterpart: the call naming itself is no transfer', () => {
    expect(check('received', { transfercallrefid: ID })).toEqual([]);
  });

  it('counterpart: a later event repeating the unknown source it was judged on at first', () => {
    const existing = { ...callLog([['received', { transfercallrefid: 'call-0' }]]), transferredFrom: 'call-0' };
    expect(
      lifecycleWarnings({ type: 'answered', callrefid: ID, fields: { transfercallrefid: 'call-0' }, existing, calls: { [ID]: existing }, now: NOW }),
    ).toEqual([]);
  });

  it('a name that only Object.prototype has is unknown too', () => {
    expect(check('received', { transfercallrefid: 'constructor' }).map((w) => w.code)).toEqual(['transfer-unknown']);
  });
});

describe('missed-after-answer', () => {
  it('callmissed for an answered call', () => {
    expect(check('missed', { callmissedtime: gmt(0) }, [['received'], ['answered']])).toEqual([
      { code: 'missed-after-answer', message: `callmissed for callrefid call-1, a call that was answered (state 'answered', callanswered at ${iso(0)}).` },
    ]);
  });

  it('callmissed for an outbound call the customer answered (calldialed success)', () => {
    expect(check('missed', {}, [['dialed', { customerstatus: 'success' }]]).map((w) => w.code)).toEqual(['missed-after-answer']);
  });

  it('counterpart: callmissed for a ringing call', () => {
    expect(check('missed', { callmissedtime: gmt(0) }, [['received']])).toEqual([]);
  });
});

describe('duplicate', () => {
  it.each<[string, CallEventType, Record<string, unknown>, Step[]]>([
    ['callreceived twice', 'received', {}, [['received']]],
    ['callanswered twice', 'answered', {}, [['received'], ['answered']]],
    ['callhungup twice (not after-end)', 'hungup', hungup(0), [['received'], ['answered'], ['hungup', hungup(0)]]],
    ['a final callmissed twice', 'missed', {}, [['received'], ['missed']]],
  ])('%s', (_title, type, fields, before) => {
    const [w, ...rest] = check(type, fields, before);
    expect(rest).toEqual([]);
    expect(w!.code).toBe('duplicate');
    expect(w!.message).toMatch(
      new RegExp(`^call${type} repeated for callrefid call-1 \\(state '\\w+'\\): already reported at ${iso(0).replace(/\./g, '\\.')}\\.$`),
    );
  });

  it('calldialed twice with the same customerstatus', () => {
    expect(check('dialed', { customerstatus: 'inprogress' }, [['dialed', { customerstatus: 'inprogress' }]])).toEqual([
      {
        code: 'duplicate',
        message: `calldialed repeated for callrefid call-1 (state 'answered'): same customerstatus 'inprogress' as at ${iso(0)}.`,
      },
    ]);
  });

  it('callanswered for a call calldialed(success) already answered', () => {
    expect(check('answered', {}, [['dialed', { customerstatus: 'success' }]])).toEqual([
      { code: 'duplicate', message: "callanswered repeated for callrefid call-1 (state 'answered'): the call is already answered." },
    ]);
  });

  it('counterpart: calldialed with a new customerstatus is a progress update', () => {
    expect(check('dialed', { customerstatus: 'success' }, [['dialed', { customerstatus: 'inprogress' }]])).toEqual([]);
  });

  it('counterpart: callmissed again after sequential ones (a ring group)', () => {
    expect(check('missed', { sequential: '1' }, [['received'], ['missed', { sequential: true }], ['missed', { sequential: 'true' }]])).toEqual([]);
  });
});
