/**
 * Live events per tenant as Server-Sent Events (better-sse): journal entries,
 * call changes and outbox deliveries, each with an id increasing within the
 * tenant. The last events are kept so a client that reconnects with
 * `Last-Event-ID` gets what it missed. A disconnected client is deregistered
 * by its channel, so nothing of it stays behind.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createChannel, createSession, type Channel } from 'better-sse';

export type LiveEventName = 'request' | 'call' | 'delivery';

interface LiveEvent {
  id: number;
  name: LiveEventName;
  data: unknown;
}

interface Stream {
  nextId: number;
  kept: LiveEvent[];
  channel: Channel;
  /** The open responses, to end them when the tenant goes. */
  responses: Set<ServerResponse>;
}

export const KEPT_EVENTS = 1000;
const KEEP_ALIVE_MS = 15_000;

export class LiveEvents {
  private readonly streams = new Map<string, Stream>();

  private stream(tenant: string): Stream {
    let stream = this.streams.get(tenant);
    if (!stream) this.streams.set(tenant, (stream = { nextId: 1, kept: [], channel: createChannel(), responses: new Set() }));
    return stream;
  }

  publish(tenant: string, name: LiveEventName, data: unknown): void {
    const stream = this.stream(tenant);
    const event = { id: stream.nextId++, name, data };
    stream.kept.push(event);
    if (stream.kept.length > KEPT_EVENTS) stream.kept.splice(0, stream.kept.length - KEPT_EVENTS);
    if (stream.channel.sessionCount > 0) stream.channel.broadcast(data, name, { eventId: String(event.id) });
  }

  /** Opens a stream on this request: first what came after `Last-Event-ID`, then everything live. */
  async subscribe(tenant: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
    const stream = this.stream(tenant);
    const session = await createSession(req, res, { keepAlive: KEEP_ALIVE_MS, retry: 1000 });
    const after = /^\d+$/.test(session.lastId) ? Number(session.lastId) : undefined;
    if (after !== undefined) for (const event of stream.kept) if (event.id > after) session.push(event.data, event.name, String(event.id));
    stream.channel.register(session);
    stream.responses.add(res);
    res.once('close', () => stream.responses.delete(res));
  }

  /** Connected clients of a tenant (for tests: a disconnected client must not stay). */
  listeners(tenant: string): number {
    return this.streams.get(tenant)?.channel.sessionCount ?? 0;
  }

  /** Forgets a removed tenant; its clients' streams end. */
  forget(tenant: string): void {
    const stream = this.streams.get(tenant);
    if (!stream) return;
    for (const session of stream.channel.activeSessions) stream.channel.deregister(session);
    for (const res of stream.responses) res.end();
    this.streams.delete(tenant);
  }
}
