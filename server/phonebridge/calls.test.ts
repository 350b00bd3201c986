import { describe, expect, it } from 'vitest';
import { ORGS } from '../../fixtures/personas.js';
import { createOrg } from '../../fixtures/seed.js';
import { dropOldestCalls, recordCallEvent } from './calls.js';

const START = Date.parse('2026-11-29T08:00:00Z');

describe('call retention (dropOldestCalls)', () => {
  it('drops the calls whose first event is oldest, whatever order they were recorded in, with their activities, and a twentieth more', () => {
    const org = createOrg(ORGS[0]!, 1, { seed: 1, crmSize: 5, now: new Date(START) });
    const user = org.users[0]!.id;
    // 60 calls, recorded in a shuffled order of their times: call-k's first event is k minutes after START.
    const order = Array.from({ length: 60 }, (_, k) => (k * 37) % 60);
    for (const k of order) {
      const now = new Date(START + k * 60_000);
      const callrefid = `call-${k}`;
      recordCallEvent(org, user, { type: 'received', direction: 'inbound', callrefid, fromnumber: '0018885554567', tonumber: '100', fields: {} }, now);
      org.activities[`activity-${k}`] = { id: `activity-${k}`, callrefid } as never;
      org.calls[callrefid]!.activityId = `activity-${k}`;
    }

    // 60 calls, at most 40: 20 over, and 40 / 20 = 2 more, so the 22 oldest go.
    const dropped = dropOldestCalls(org, 40);
    const oldest = Array.from({ length: 22 }, (_, k) => `call-${k}`);
    expect([...dropped].sort()).toEqual([...oldest].sort());
    expect(Object.keys(org.calls).sort()).toEqual(Array.from({ length: 38 }, (_, k) => `call-${k + 22}`).sort());
    expect(Object.keys(org.activities)).toHaveLength(38);
    expect(org.activities['activity-0']).toBeUndefined();
    // Under the limit: nothing more goes.
    expect(dropOldestCalls(org, 40)).toEqual([]);
  });

  it('among calls first seen at the same instant, the ones recorded first go first', () => {
    const org = createOrg(ORGS[0]!, 1, { seed: 1, crmSize: 5, now: new Date(START) });
    const user = org.users[0]!.id;
    const now = new Date(START); // one busy millisecond: every call's first event at the same time
    for (let k = 0; k < 60; k++)
      recordCallEvent(
        org,
        user,
        { type: 'received', direction: 'inbound', callrefid: `same-${k}`, fromnumber: '0018885554567', tonumber: '100', fields: {} },
        now,
      );
    expect([...dropOldestCalls(org, 40)].sort()).toEqual(Array.from({ length: 22 }, (_, k) => `same-${k}`).sort());
  });
});
