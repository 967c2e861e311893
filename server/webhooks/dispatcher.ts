import type { Transaction } from 'kysely';

import type { Database } from '../db/schema';
import type { WebhookEvent } from '../hubspot/webhook-event.schema';
import type { Logger } from '../logger';

/** A stored webhook event as handlers see it: classified, with the payload HubSpot sent. */
export interface DispatchedEvent {
  readonly id: number;
  readonly portalId: number;
  readonly subscriptionType: string;
  /** contact, deal, company, … (legacy `contact.*` and `object.*` with objectTypeId agree). */
  readonly objectType: string;
  /** propertyChange, creation, deletion, restore, associationChange, merge, … */
  readonly change: string;
  readonly objectId: number;
  readonly propertyName: string | undefined;
  readonly occurredAt: number;
  readonly payload: WebhookEvent;
}

export interface HandlerContext {
  /**
   * The transaction that also marks the event done: everything a handler writes here commits exactly once
   * with it. Do no network I/O inside (it would hold the transaction open); record the intent in a table and
   * let a worker of your own do the call.
   */
  readonly trx: Transaction<Database>;
  readonly now: number;
  readonly logger: Logger;
}

/** applied: state changed; stale: older than the state it would change; ignored: nothing to do. */
export type HandlerOutcome = 'applied' | 'stale' | 'ignored';

export type WebhookHandler = (
  event: DispatchedEvent,
  context: HandlerContext,
) => Promise<HandlerOutcome>;

/**
 * Does ahead, once per transaction and for all its events at once, what a handler would otherwise do per event
 * (take its locks, write the first change of each object): one statement instead of one per event. It gets
 * every event of the transaction in processing order (each object's events in `occurredAt` order) and picks
 * those it can take care of. An optimisation only: the handler must stay correct when its preparer did not
 * run (events retried one by one run without it).
 */
export type BatchPreparer = (
  events: readonly DispatchedEvent[],
  context: HandlerContext,
) => Promise<void>;

export interface HandlerRoute {
  /** contact, deal, … or '*' for every object type. */
  readonly objectType: string;
  readonly change: string;
  /** For property changes: only these properties (all when omitted). */
  readonly properties?: readonly string[];
}

interface Registration {
  readonly name: string;
  readonly route: HandlerRoute;
  readonly handler: WebhookHandler;
  readonly prepare?: BatchPreparer;
}

/**
 * Routes events to handlers by object type, change and property. Capabilities register their handlers
 * explicitly at start (see `registerWebhookHandlers`); an event no handler wants is done as `ignored`, so an
 * unknown subscription type is stored for audit and never retried. Handlers of one event run in registration
 * order in one transaction: if one throws, none of them took effect and the event is retried.
 */
export class WebhookDispatcher {
  private readonly registrations: Registration[] = [];
  /** Handlers per object type, change and property: the worker asks for every event, the answer never changes. */
  private readonly routed = new Map<string, Registration[]>();

  register(
    name: string,
    route: HandlerRoute,
    handler: WebhookHandler,
    prepare?: BatchPreparer,
  ): this {
    if (this.registrations.some((registration) => registration.name === name)) {
      throw new Error(`webhook handler "${name}" is registered twice`);
    }
    this.registrations.push({ name, route, handler, ...(prepare ? { prepare } : {}) });
    this.routed.clear();
    return this;
  }

  private routesOf(event: DispatchedEvent): Registration[] {
    const key = `${event.objectType}\n${event.change}\n${event.propertyName ?? ''}`;
    let handlers = this.routed.get(key);
    if (!handlers) {
      handlers = this.handlersFor(event);
      this.routed.set(key, handlers);
    }
    return handlers;
  }

  handlerNames(): string[] {
    return this.registrations.map((registration) => registration.name);
  }

  handlersFor(
    event: Pick<DispatchedEvent, 'objectType' | 'change' | 'propertyName'>,
  ): Registration[] {
    return this.registrations.filter(({ route }) => matchesRoute(route, event));
  }

  /**
   * Runs the preparers of the handlers that some of these events are routed to, in registration order, before
   * the events are dispatched in the same transaction.
   */
  async prepare(events: readonly DispatchedEvent[], context: HandlerContext): Promise<void> {
    const wanted = new Set<Registration>();
    for (const event of events) {
      for (const registration of this.routesOf(event))
        if (registration.prepare) wanted.add(registration);
    }
    for (const registration of this.registrations) {
      if (wanted.has(registration)) await registration.prepare!(events, context);
    }
  }

  async dispatch(event: DispatchedEvent, context: HandlerContext): Promise<HandlerOutcome> {
    let outcome: HandlerOutcome = 'ignored';
    for (const { handler } of this.routesOf(event)) {
      const result = await handler(event, context);
      if (result === 'applied' || (result === 'stale' && outcome === 'ignored')) outcome = result;
    }
    return outcome;
  }
}

/** Whether the route takes the event (a preparer uses it to pick its handler's events from a batch). */
export function matchesRoute(
  route: HandlerRoute,
  event: Pick<DispatchedEvent, 'objectType' | 'change' | 'propertyName'>,
): boolean {
  if (route.objectType !== '*' && route.objectType !== event.objectType) return false;
  if (route.change !== event.change) return false;
  if (!route.properties) return true;
  return event.propertyName !== undefined && route.properties.includes(event.propertyName);
}
