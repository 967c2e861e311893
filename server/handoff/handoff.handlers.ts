import { sql } from 'kysely';

import type { HandoffSettings } from '../../src/handoff/handoff-settings';
import {
  type HandoffSignal,
  handoffSignals,
  type PropertyChange,
} from '../../src/handoff/handoff-signals';
import { HandoffTransitionError, transitionHandoff } from '../../src/handoff/handoff-state';
import { findContact } from '../crm/crm-object.repository';
import { parseText, type PropertyValue } from '../crm/hubspot-values';
import { lockAllUntilCommit, lockUntilCommit } from '../db/advisory-lock';
import { isPostgres } from '../db/dialect';
import {
  type DispatchedEvent,
  type HandlerContext,
  type HandlerOutcome,
  matchesRoute,
  type WebhookDispatcher,
} from '../webhooks/dispatcher';
import {
  appendHandoffHistory,
  type HandoffRow,
  latestHandoff,
  openHandoff,
  updateHandoff,
} from './handoff.repository';
import { applyHandoffEvent, isEarlierTouch } from './handoff-events';

/**
 * Reads contact property changes as handoff events. The trigger opens an episode "awaiting scoring" (the
 * handoff worker scores it outside the transaction, since a handler must not call HubSpot); first touches and
 * decisions made in HubSpot move the current episode through the state machine. Runs after the CRM slice.
 */
export function registerHandoffHandlers(
  dispatcher: WebhookDispatcher,
  settings: HandoffSettings,
): void {
  const { trigger, sla, decisions } = settings;
  const properties = [
    ...new Set([
      trigger.property,
      sla.firstTouch.leadStatusProperty,
      ...sla.firstTouch.activityProperties,
      decisions.reasonProperty,
    ]),
  ];
  const route = { objectType: 'contact', change: 'propertyChange', properties };
  dispatcher.register(
    'handoff:contact-signals',
    route,
    (event, context) => handleContactChange(event, context, settings),
    // Every contact of the batch locked in one statement (sorted, so batches cannot deadlock on each other).
    (events, { trx }) =>
      lockAllUntilCommit(
        trx,
        CONTACT_LOCK,
        events
          .filter((event) => matchesRoute(route, event))
          .map((event) => contactLockKey(event.portalId, event.objectId)),
      ),
  );
}

const CONTACT_LOCK = 'truce:handoff-contact';

function contactLockKey(portalId: number, contactId: number): string {
  return `${portalId}:${contactId}`;
}

async function handleContactChange(
  event: DispatchedEvent,
  { trx, now, logger }: HandlerContext,
  settings: HandoffSettings,
): Promise<HandlerOutcome> {
  const change: PropertyChange = {
    property: event.propertyName ?? '',
    value: parseText(event.payload.propertyValue),
    occurredAt: event.occurredAt,
  };
  const portalId = event.portalId;
  const contactId = event.objectId;
  // Two workers may hold events of one contact at once (an MQL and a rep's touch delivered apart): the second
  // waits for the first to commit, so it sees the episode the first opened, or the touch the first recorded.
  await lockUntilCommit(trx, CONTACT_LOCK, contactLockKey(portalId, contactId));
  // The scoring worker, the sweeper and card decisions change an episode without that lock; read it locked,
  // so a change they are committing is waited for and seen, not lost when the conditional write finds the
  // episode gone from the status it was read in.
  const latest = await latestHandoff(trx, portalId, contactId, { forUpdate: isPostgres(trx) });
  const { trigger } = settings;

  if (change.property === trigger.property && sameText(change.value, trigger.value)) {
    if (await isStaleLifecycleChange(event, trx)) return 'stale';
    if (latest) {
      if (latest.trigger_at === change.occurredAt) return 'ignored';
      if (change.occurredAt < latest.trigger_at) return 'stale';
      if (latest.status === 'scoring') return 'ignored';
      try {
        transitionHandoff(latest.status, 'requalify');
      } catch (error) {
        if (error instanceof HandoffTransitionError) return 'ignored';
        throw error;
      }
    }
    const opened = await openHandoff(trx, {
      portalId,
      contactId,
      triggerAt: change.occurredAt,
      now,
    });
    if (!opened) return 'ignored';
    await appendHandoffHistory(trx, {
      portalId,
      handoffId: opened.id,
      event: 'open',
      from: null,
      to: 'scoring',
      actor: 'hubspot',
      detail: { property: change.property, value: change.value, webhookEventId: event.id },
      at: now,
    });
    logger.info(
      { portalId, contactId, handoffId: opened.id },
      `contact ${contactId} became ${trigger.value}; handoff ${opened.id} opened (episode ${opened.episode}), awaiting scoring`,
    );
    await recordTouchesDeliveredEarly(opened, settings, { trx, now, logger });
    return 'applied';
  }

  if (!latest) return 'ignored';
  const signals = handoffSignals(change, {
    settings,
    episodeStartedAt: latest.trigger_at,
    ...(change.property === settings.decisions.reasonProperty
      ? { reasonPropertyValue: change.value }
      : {}),
  });
  if (latest.status === 'scoring') return recordEarlyTouch(latest, signals, { trx, now, logger });
  let row = latest;
  let outcome: HandlerOutcome = 'ignored';
  for (const signal of signals) {
    // Truce's own lifecycle write on a decision comes back as a webhook; it is not a rep's change.
    if (
      change.property === trigger.property &&
      row.written_stage !== null &&
      sameText(change.value, row.written_stage)
    )
      continue;
    try {
      const applied = await applyHandoffEvent(
        trx,
        row,
        {
          event: signal.event,
          at: signal.at,
          actor: 'hubspot',
          source: signal.source,
          reasonCode: signal.reasonCode ?? null,
          // A stage the rep set in HubSpot is there already; a reject by lead status still moves the stage.
          writeStage: signal.source !== trigger.property,
        },
        settings,
        now,
      );
      if (!applied) continue;
      row = applied.row;
      outcome = 'applied';
      logger.info(
        { portalId, contactId, handoffId: row.id, event: signal.event },
        `contact ${contactId}: handoff ${row.id} ${describe(signal.event)} in HubSpot (${signal.source}); now ${row.status}`,
      );
    } catch (error) {
      if (!(error instanceof HandoffTransitionError)) throw error;
    }
  }
  return outcome;
}

/**
 * A rep may touch the lead before Truce has scored it (HubSpot slow, or down). The touch is kept on the
 * episode so the SLA counts as met once it is assigned; decisions wait for the scored episode.
 */
async function recordEarlyTouch(
  row: HandoffRow,
  signals: readonly HandoffSignal[],
  { trx, now, logger }: Pick<HandlerContext, 'trx' | 'now' | 'logger'>,
): Promise<HandlerOutcome> {
  const touch = signals.find((signal) => signal.event === 'first_touch');
  if (!touch || !isEarlierTouch(row, touch.at, touch.source)) return 'ignored';
  const recorded = await updateHandoff(trx, row.id, ['scoring'], {
    first_touch_at: touch.at,
    first_touch_source: touch.source,
    updated_at: now,
  });
  if (!recorded) return 'ignored';
  await appendHandoffHistory(trx, {
    portalId: row.portal_id,
    handoffId: row.id,
    event: 'first_touch',
    from: 'scoring',
    to: 'scoring',
    actor: 'hubspot',
    detail: { source: touch.source, at: touch.at },
    at: now,
  });
  logger.info(
    { portalId: row.portal_id, contactId: row.contact_id, handoffId: row.id },
    `contact ${row.contact_id}: handoff ${row.id} got its first sales touch (${touch.source}) before scoring`,
  );
  return 'applied';
}

/**
 * HubSpot delivers webhooks out of order: a rep's touch can be processed before the MQL change that opens its
 * episode, when there is no episode to record it on. Once the episode opens, such touches (already processed,
 * from the trigger's time on) are read back from the inbox, so the recorded first touch is the earliest one
 * whatever the delivery order.
 */
async function recordTouchesDeliveredEarly(
  opened: HandoffRow,
  settings: HandoffSettings,
  context: Pick<HandlerContext, 'trx' | 'now' | 'logger'>,
): Promise<void> {
  const { firstTouch } = settings.sla;
  const rows = await context.trx
    .selectFrom('webhook_event')
    .select(['property_name', 'occurred_at', 'payload'])
    .where('portal_id', '=', opened.portal_id)
    .where('object_id', '=', opened.contact_id)
    // Literals, so SQLite can prove the partial index `webhook_event_contact_change` applies.
    .where('object_type', '=', sql.lit('contact'))
    .where('change', '=', sql.lit('propertyChange'))
    .where('property_name', 'in', [firstTouch.leadStatusProperty, ...firstTouch.activityProperties])
    .where('occurred_at', '>=', opened.trigger_at)
    .where('status', '=', 'done')
    .execute();
  const touches = rows
    .flatMap((row) =>
      handoffSignals(
        {
          property: row.property_name,
          value: parseText(
            (JSON.parse(row.payload) as { propertyValue?: PropertyValue }).propertyValue,
          ),
          occurredAt: Number(row.occurred_at),
        },
        { settings, episodeStartedAt: Number(opened.trigger_at) },
      ),
    )
    .filter((signal) => signal.event === 'first_touch')
    // Earliest first; at the same instant the property name decides, as in isEarlierTouch.
    .sort((a, b) => a.at - b.at || (a.source < b.source ? -1 : a.source > b.source ? 1 : 0));
  if (touches.length > 0) await recordEarlyTouch(opened, touches.slice(0, 1), context);
}

const DESCRIBED: Readonly<Record<string, string>> = {
  first_touch: 'got its first sales touch',
  accept: 'was accepted',
  reject: 'was rejected',
  convert: 'converted',
  recycle: 'went back to marketing',
};

function describe(event: string): string {
  return DESCRIBED[event] ?? event;
}

/** A lifecycle change older than the stage the CRM slice holds is a late event, not a new MQL. */
async function isStaleLifecycleChange(
  event: DispatchedEvent,
  trx: HandlerContext['trx'],
): Promise<boolean> {
  if (event.propertyName !== 'lifecyclestage') return false;
  const contact = await findContact(trx, event.portalId, event.objectId);
  return (
    contact !== undefined &&
    contact.lifecyclestage_at !== null &&
    Number(contact.lifecyclestage_at) > event.occurredAt
  );
}

function sameText(a: string | null | undefined, b: string | null | undefined): boolean {
  if (a === null || a === undefined || b === null || b === undefined) return false;
  return a.trim().toLowerCase() === b.trim().toLowerCase();
}
