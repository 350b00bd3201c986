/** The control plane's view of what vendors sent: the request journal, the call log, and the live event stream. */
import type { JournalFilter } from '../journal/journal.js';
import type { Journal } from '../journal/journal.js';
import type { LiveEvents } from '../journal/live.js';
import type { HandlersOf } from '../openapi/types.js';
import { callView } from '../phonebridge/calls.js';
import type { CallLog, Org, Tenant } from '../store/schema.js';
import { fail } from '../zoho/errors.js';
import type { operations } from './document.gen.js';

type JournalOperations = Pick<operations, 'listRequests' | 'getRequest' | 'clearRequests' | 'countRequests' | 'listCalls' | 'getCall' | 'streamEvents'>;

/** The journal filters of a request's fields (the tenant and the limit are not filters). */
function filterOf({ tenant: _tenant, limit: _limit, ...filter }: JournalFilter & { tenant?: string; limit?: number }): JournalFilter {
  return filter;
}

/** When a call last changed: its last event. */
const lastEventAt = (log: CallLog) => log.events.at(-1)?.at ?? '';

export function journalHandlers(journal: Journal, live: LiveEvents): HandlersOf<JournalOperations, undefined, Tenant> {
  return {
    listRequests: ({ params, db }) => ({ status: 200, body: { requests: journal.list(db.id, filterOf(params), params.limit) } }),

    countRequests: ({ params, db }) => ({ status: 200, body: { count: journal.count(db.id, filterOf(params)) } }),

    getRequest: ({ params, db }) => {
      const entry = journal.get(db.id, params.id) ?? fail('NOT_IN_JOURNAL', { subject: `No request ${params.id} in the journal of tenant ${db.id}` });
      return { status: 200, body: entry };
    },

    clearRequests: ({ db }) => {
      journal.clear(db.id);
      return { status: 200, body: { requests: [] } };
    },

    listCalls: ({ params, db }) => {
      const orgs: Org[] = params.orgid === undefined ? Object.values(db.orgs) : [db.orgs[params.orgid] ?? fail('UNKNOWN_ORG', { param: 'orgid' })];
      const since = params.since === undefined ? undefined : Date.parse(params.since);
      const calls = orgs
        .flatMap((org) => Object.values(org.calls).map((log) => ({ org, log })))
        .filter(
          ({ log }) =>
            (params.state === undefined || log.state === params.state) &&
            (params.direction === undefined || log.direction === params.direction) &&
            (params.user === undefined || log.userId === params.user) &&
            (since === undefined || Date.parse(lastEventAt(log)) >= since),
        )
        .sort((a, b) => lastEventAt(b.log).localeCompare(lastEventAt(a.log)))
        .slice(0, params.limit ?? 100);
      return { status: 200, body: { calls: calls.map(({ org, log }) => callView(org, log)) } };
    },

    getCall: ({ params, db }) => {
      const orgs = params.orgid === undefined ? Object.values(db.orgs) : [db.orgs[params.orgid] ?? fail('UNKNOWN_ORG', { param: 'orgid' })];
      const org = orgs.find((o) => o.calls[params.callrefid]);
      if (!org) fail('NOT_IN_JOURNAL', { subject: `No call ${params.callrefid} in tenant ${db.id}` });
      return { status: 200, body: callView(org, org.calls[params.callrefid]!) };
    },

    // The Content-Type is the stream's; it is given here too so the response check sees what was sent.
    streamEvents: ({ db }) => ({
      status: 200,
      headers: { 'Content-Type': 'text/event-stream' },
      stream: (req, res) => void live.subscribe(db.id, req, res).catch(() => res.destroy()),
    }),
  };
}
