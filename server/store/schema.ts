/** The shape of the JSON database. Everything a request touches hangs off one org. */

export type ModuleName = 'Leads' | 'Contacts' | 'Accounts';

export interface CrmUser {
  id: string;
  name: string;
  email: string;
  role: 'admin' | 'standard';
  active: boolean;
  phone: string | null;
}

export interface Lead {
  id: string;
  name: string;
  company: string;
  email: string | null;
  phone: string | null;
  mobile: string | null;
  ownerId: string;
}

export interface Contact {
  id: string;
  name: string;
  accountId: string | null;
  email: string | null;
  phone: string | null;
  mobile: string | null;
  department: string | null;
  ownerId: string;
}

export interface Account {
  id: string;
  name: string;
  phone: string | null;
  ownerId: string;
}

export interface Potential {
  id: string;
  name: string;
  accountId: string | null;
  contactId: string | null;
  ownerId: string;
  closingDate: string;
  amount: number;
  stage: string;
  probability: number;
}

export interface Crm {
  leads: Lead[];
  contacts: Contact[];
  accounts: Account[];
  potentials: Potential[];
}

export interface NameValue {
  name: string;
  value: string;
}

export interface ClickToCallRegistration {
  /** The click-to-call (v3: click-to-dial) URL; absent for a v3 user who registered call control only. */
  clicktocallurl?: string;
  /** Registered through PhoneBridge v3 (`clicktodial`, `callcontrol`); absent: v2. */
  api?: 'v3';
  answerurl?: string;
  hungupurl?: string;
  muteurl?: string;
  unmuteurl?: string;
  holdurl?: string;
  unholdurl?: string;
  keypressurl?: string;
  authorizationparam: NameValue | null;
  clicktocallparam: NameValue[];
  callcontrolparam: NameValue[];
  vendor: string;
  registeredBy: string;
  registeredAt: string;
}

export type CallEventType = 'received' | 'answered' | 'dialed' | 'missed' | 'hungup';

export interface RecordRef {
  module: ModuleName;
  id: string;
  name: string;
}

export interface CallEvent {
  type: CallEventType;
  at: string;
  params: Record<string, unknown>;
}

export interface CallLog {
  callrefid: string;
  /** The PhoneBridge version the vendor reported it through; absent: v2. */
  api?: 'v3';
  direction: 'inbound' | 'outbound';
  state: 'ringing' | 'dialing' | 'answered' | 'missed' | 'ended';
  fromnumber: string;
  tonumber: string;
  userId: string;
  /** The record the customer's number matched first, if any. */
  record: RecordRef | null;
  transferredFrom: string | null;
  transferredTo: string[];
  voiceurl: string | null;
  events: CallEvent[];
  activityId: string | null;
  /** Mute and hold as the mock's call-control requests left them. */
  controls?: { muted: boolean; held: boolean };
  /** The click-to-call delivery this outbound call answered, if any. */
  clickToCallDeliveryId?: string;
  /** What the call's events say is wrong with the vendor's PBX (an answer for a call that never rang, ...), oldest first. */
  warnings?: CallWarning[];
}

export interface CallWarning {
  code: string;
  message: string;
  /** When the event that raised it arrived. */
  at: string;
  event: CallEventType;
}

export type Profile = 'documented' | 'live';

export type CallControlAction = 'answer' | 'hangup' | 'mute' | 'unmute' | 'hold' | 'unhold' | 'keypress';

/** One request the mock sent (or refused to send) to a vendor's URL: an outbox entry. */
export interface Delivery {
  id: string;
  at: string;
  kind: 'clicktocall' | CallControlAction;
  orgId: string;
  userId: string;
  callrefid: string | null;
  url: string;
  request: { method: 'POST'; headers: Record<string, string>; body: string };
  response: { status: number; body: string } | null;
  latencyMs: number;
  attempts: number;
  delivered: boolean;
  error: string | null;
}

export interface CallActivity {
  id: string;
  kind: 'call' | 'missed';
  callrefid: string;
  direction: 'inbound' | 'outbound';
  startTime: string;
  durationSeconds: number;
  voiceurl: string | null;
  description: string | null;
  record: RecordRef | null;
  ownerId: string;
  createdAt: string;
}

export interface Integration {
  vendor: string;
  enabledAt: string;
  enabledBy: string;
}

export interface Org {
  id: string;
  name: string;
  edition: 'enterprise' | 'professional' | 'free';
  /** Whether the edition includes telephony (PhoneBridge). */
  telephony: boolean;
  integration: Integration | null;
  users: CrmUser[];
  crm: Crm;
  clickToCall: Record<string, ClickToCallRegistration>;
  calls: Record<string, CallLog>;
  /** Keyed by activity id. */
  activities: Record<string, CallActivity>;
  /** First 7 digits of the org's 19-digit ids. */
  idPrefix: string;
  /** Next id suffix for records the mock creates (activities). */
  nextId: number;
  /** Requests the mock sent (or refused to send) to the vendor's URLs for this org, oldest first, the last 1000. */
  outbox: Delivery[];
}

export interface Vendor {
  name: string;
  registered: boolean;
}

/** An access token's grant. */
export interface TokenGrant {
  orgId: string;
  userId: string;
  vendor: string;
  scopes: string[];
  /** ISO time; a token past it answers 401 INVALID_TOKEN. */
  expiresAt: string;
  /** The OAuth client that minted it; absent for the fixed persona tokens. */
  clientId?: string;
  /** The refresh token it was minted from, if any. */
  refreshToken?: string;
  issuedAt?: string;
}

/** A vendor's OAuth client, registered with the accounts server. */
export interface OAuthClient {
  clientId: string;
  clientSecret: string;
  name: string;
  vendor: string;
  redirectUris: string[];
}

/** A single-use grant code, between consent and the token exchange. */
export interface GrantCode {
  clientId: string;
  redirectUri: string;
  orgId: string;
  userId: string;
  scopes: string[];
  accessType: 'online' | 'offline';
  expiresAt: string;
}

export interface RefreshGrant {
  clientId: string;
  orgId: string;
  userId: string;
  vendor: string;
  scopes: string[];
  createdAt: string;
  /** Access tokens minted from it, oldest first. */
  accessTokens: string[];
}

/** One isolated world: its orgs, personas, OAuth clients, tokens, call logs and outboxes. PhoneBridge and OAuth requests reach it through its tokens and clients. */
export interface Tenant {
  /** `default` for the world the mock starts with; `t` + hex for the others. */
  id: string;
  label: string | null;
  /** The tenant's number: 0 for the default one; it picks the tenant's org ids and id prefixes. */
  number: number;
  seed: number;
  /** Leads and Contacts per org. */
  crmSize: number;
  createdAt: string;
  /** The last time one of its tokens, clients or an admin call naming it was used; a tenant unused for PHONEBRIDGE_TENANT_TTL seconds is removed. */
  lastUsedAt: string;
  /** The persona tokens, by persona key (admin, user, freeedition, unregistered, otherpbx, expired). */
  personas: Record<string, string>;
  /** Its OAuth clients' ids, by vendor (MockPBX, UnregisteredPBX). */
  clientIds: Record<string, string>;
  /** The licensed org: the one admin triggers act on by default and auto-consent signs into. */
  defaultOrgId: string;
  vendors: Record<string, Vendor>;
  /** Access tokens. */
  tokens: Record<string, TokenGrant>;
  orgs: Record<string, Org>;
  clients: Record<string, OAuthClient>;
  grantCodes: Record<string, GrantCode>;
  refreshTokens: Record<string, RefreshGrant>;
  /** Next outbox entry id: unique across the tenant's orgs, so one listing of every org sorts by it. */
  nextDeliveryId: number;
  /** The tenant's clock: milliseconds added to the real time (POST /__admin/clock); 0 is real time. */
  clockOffsetMs: number;
  /** Faults injected into its requests (POST /__admin/faults), in the order they are tried. */
  faults: Fault[];
  nextFaultId: number;
  /** Zoho's API limits applied to its orgs (POST /__admin/limits); null: none (the default). */
  limits: Limits | null;
  /** Where Zoho's documents and its live API disagree (PhoneBridge v3), which one the tenant follows; absent: documented. */
  profile?: Profile;
}

/** What a fault does to a request it matches. */
export interface FaultEffect {
  /** Answer this documented status with the document's example, as `Prefer: code=` does. */
  status?: number;
  /** Wait this long before answering (the real answer, or `status`). */
  delayMs?: number;
  /** Answer nothing: close the connection, reset it, or send half of a success body and close. */
  drop?: 'close' | 'reset' | 'half';
}

export interface Fault {
  id: string;
  /** Which requests: an operation, or a method and a path; neither: every PhoneBridge operation. */
  match: { operationId?: string; method?: string; path?: string };
  effect: FaultEffect;
  /** How many requests it may touch; null: unlimited. */
  times: number | null;
  /** The chance it touches a matching request, drawn from a generator seeded with `seed`. */
  probability: number;
  seed: number;
  /** Requests it touched so far. */
  hits: number;
  /** Matching requests seen so far (each drew a number against `probability`). */
  seen: number;
  createdAt: string;
}

export interface Limits {
  /** Requests in flight at once per org; null: no limit. */
  concurrency: number | null;
  /** Requests per org within the rolling window; null: no limit. */
  credits: number | null;
  windowSeconds: number;
  /** The edition whose figures were picked, if one was named. */
  edition: string | null;
}

export const DEFAULT_TENANT = 'default';

export interface Db {
  /** 4: tenants, saved in files per tenant and org (3: tenants in one file; 2: one world, each org with its own outbox; 1: one outbox for all; store/migrate.ts reads every one). */
  schemaVersion: 4;
  /** The number the next tenant gets. */
  nextTenant: number;
  tenants: Record<string, Tenant>;
}
