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

  register(name: string, route: HandlerRoute, handler: WebhookHandler): this {
    if (this.registrations.some((registration) => registration.name === name)) {
      throw new Error(`webhook handler "${name}" is registered twice`);
    }
    this.registrations.push({ name, route, handler });
    this.routed.clear();
    return this;
  }

  handlerNames(): string[] {
    return this.registrations.map((registration) => registration.name);
  }

  handlersFor(
    event: Pick<DispatchedEvent, 'objectType' | 'change' | 'propertyName'>,
  ): Registration[] {
    return this.registrations.filter(({ route }) => {
      if (route.objectType !== '*' && route.objectType !== event.objectType) return false;
      if (route.change !== event.change) return false;
      if (!route.properties) return true;
      return event.propertyName !== undefined && route.properties.includes(event.propertyName);
    });
  }

  async dispatch(event: DispatchedEvent, context: HandlerContext): Promise<HandlerOutcome> {
    const key = `${event.objectType}\n${event.change}\n${event.propertyName ?? ''}`;
    let handlers = this.routed.get(key);
    if (!handlers) {
      handlers = this.handlersFor(event);
      this.routed.set(key, handlers);
    }
    let outcome: HandlerOutcome = 'ignored';
    for (const { handler } of handlers) {
      const result = await handler(event, context);
      if (result === 'applied' || (result === 'stale' && outcome === 'ignored')) outcome = result;
    }
    return outcome;
  }
}
