import { PhoneIndex } from './phone.js';
import type { Account, Contact, CrmUser, Lead, ModuleName, Org, Potential, RecordRef } from '../store/schema.js';

type CrmRecord = { module: 'Leads'; record: Lead } | { module: 'Contacts'; record: Contact } | { module: 'Accounts'; record: Account };

/** A record's documented entity in a screen pop. */
type Entity = ReturnType<typeof entityOf>;

interface OrgLookup {
  phones: PhoneIndex<CrmRecord>;
  records: Map<string, CrmRecord>;
  users: Map<string, CrmUser>;
  accounts: Map<string, Account>;
  potentialsByContact: Map<string, Potential[]>;
  potentialsByAccount: Map<string, Potential[]>;
  /** Each record's documented entity, built on first use: every call from a number answers the same. */
  entities: WeakMap<CrmRecord, Entity>;
}

// Built once per org on first use; CRM records do not change through the PhoneBridge API.
const lookups = new WeakMap<Org, OrgLookup>();

function lookupFor(org: Org): OrgLookup {
  let lookup = lookups.get(org);
  if (lookup) return lookup;
  const phones = new PhoneIndex<CrmRecord>();
  // Module order is the answer order: Leads, Contacts, Accounts.
  for (const record of org.crm.leads) for (const number of [record.phone, record.mobile]) phones.add(number, { module: 'Leads', record });
  for (const record of org.crm.contacts) for (const number of [record.phone, record.mobile]) phones.add(number, { module: 'Contacts', record });
  for (const record of org.crm.accounts) phones.add(record.phone, { module: 'Accounts', record });
  const group = (key: 'contactId' | 'accountId') => {
    const map = new Map<string, Potential[]>();
    for (const p of org.crm.potentials) {
      const id = p[key];
      if (!id) continue;
      const list = map.get(id);
      if (list) list.push(p);
      else map.set(id, [p]);
    }
    return map;
  };
  const records = new Map<string, CrmRecord>();
  for (const record of org.crm.leads) records.set(record.id, { module: 'Leads', record });
  for (const record of org.crm.contacts) records.set(record.id, { module: 'Contacts', record });
  for (const record of org.crm.accounts) records.set(record.id, { module: 'Accounts', record });
  lookup = {
    phones,
    records,
    users: new Map(org.users.map((u) => [u.id, u])),
    accounts: new Map(org.crm.accounts.map((a) => [a.id, a])),
    potentialsByContact: group('contactId'),
    potentialsByAccount: group('accountId'),
    entities: new WeakMap(),
  };
  lookups.set(org, lookup);
  return lookup;
}

/** The number a click on this Lead, Contact or Account dials: its phone, else its mobile. */
export function recordPhone(org: Org, id: string): string | undefined {
  const hit = lookupFor(org).records.get(id);
  if (!hit) return undefined;
  return hit.record.phone ?? ('mobile' in hit.record ? hit.record.mobile : null) ?? undefined;
}

/** The org's user with this id, active or not. */
export function findUser(org: Org, userId: string): CrmUser | undefined {
  return lookupFor(org).users.get(userId);
}

/** The records a customer's number matched (the person on the phone, never the signed-in user), for rendering and linking. */
export class CustomerMatch {
  constructor(
    private readonly org: Org,
    readonly records: readonly CrmRecord[],
  ) {}

  get first(): RecordRef | null {
    const hit = this.records[0];
    return hit ? { module: hit.module, id: hit.record.id, name: hit.record.name } : null;
  }

  /** `{Name, Id, Module}` per record, as callanswered, callhungup and callmissed answer. */
  summaries() {
    return this.records.map(({ module, record }) => ({ Name: record.name, Id: record.id, Module: module }));
  }

  /** The documented full entity per record, as callreceived, calldialed and callerdetails answer (shared: read, never changed). */
  entities(): Entity[] {
    const lookup = lookupFor(this.org);
    return this.records.map((hit) => {
      let entity = lookup.entities.get(hit);
      if (!entity) lookup.entities.set(hit, (entity = entityOf(this.org, lookup, hit)));
      return entity;
    });
  }
}

/** A record as the screen pop shows it: the documented entity of its module, with its potentials. */
function entityOf(org: Org, lookup: OrgLookup, hit: CrmRecord) {
  const userName = (id: string) => lookup.users.get(id)?.name ?? '';
  const url = (module: ModuleName | 'Potentials', id: string) => `https://crm.zoho.com/crm/org${org.id}/tab/${module}/${id}`;
  const potentials = (list: Potential[] | undefined) =>
    (list ?? []).map((p) => ({
      Name: p.name,
      Id: p.id,
      PotentialOwner: userName(p.ownerId),
      ClosingDate: p.closingDate,
      ExpectedRevenue: String(p.amount),
      Stage: p.stage,
      Url: url('Potentials', p.id),
      Probability: String(p.probability),
    }));
  const base = { Name: hit.record.name, Module: hit.module, Id: hit.record.id };
  switch (hit.module) {
    case 'Leads': {
      const r = hit.record;
      return { ...base, 'Company/Account': r.company, Email: r.email, Phone: r.phone, Mobile: r.mobile, Department: null, Url: url('Leads', r.id) };
    }
    case 'Contacts': {
      const r = hit.record;
      const account = r.accountId ? lookup.accounts.get(r.accountId) : undefined;
      return {
        ...base,
        'Company/Account': account?.name ?? null,
        Email: r.email,
        Phone: r.phone,
        Mobile: r.mobile,
        Department: r.department,
        Url: url('Contacts', r.id),
        Potential: potentials(lookup.potentialsByContact.get(r.id)),
      };
    }
    case 'Accounts': {
      const r = hit.record;
      return {
        ...base,
        'Company/Account': r.name,
        Email: null,
        Phone: r.phone,
        Mobile: null,
        Department: null,
        Url: url('Accounts', r.id),
        Potential: potentials(lookup.potentialsByAccount.get(r.id)),
      };
    }
  }
}

/** Every Lead, Contact and Account whose phone or mobile matches the customer's number. */
export function findCustomer(org: Org, phoneNumber: string): CustomerMatch {
  return new CustomerMatch(org, lookupFor(org).phones.find(phoneNumber));
}

/** A record as a picker lists it: who it is, their company, their numbers. */
export interface RecordSummary {
  module: ModuleName;
  id: string;
  name: string;
  company: string | null;
  phone: string | null;
  mobile: string | null;
}

/**
 * The org's Leads, Contacts and Accounts that have a number and whose name
 * contains `search` (any case) or whose numbers contain its digits; in CRM order.
 */
export function searchRecords(org: Org, search: string, limit: number): RecordSummary[] {
  const lookup = lookupFor(org);
  const text = search.trim().toLowerCase();
  const digits = search.replace(/\D/g, '');
  const found: RecordSummary[] = [];
  for (const { module, record } of lookup.records.values()) {
    const mobile = 'mobile' in record ? record.mobile : null;
    if (record.phone === null && mobile === null) continue;
    const numbers = [record.phone, mobile].map((n) => (n ?? '').replace(/\D/g, ''));
    const matches = text === '' || record.name.toLowerCase().includes(text) || (digits !== '' && numbers.some((n) => n.includes(digits)));
    if (!matches) continue;
    const company =
      module === 'Leads' ? record.company : module === 'Contacts' ? ((record.accountId && lookup.accounts.get(record.accountId)?.name) ?? null) : record.name;
    found.push({ module, id: record.id, name: record.name, company, phone: record.phone, mobile });
    if (found.length >= limit) break;
  }
  return found;
}
