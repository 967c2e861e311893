import { randomUUID } from 'node:crypto';

import { DateTime } from 'luxon';

import type { ContactSnapshot, PropertyHistoryEntry } from '../../src/handoff/contact-snapshot';
import { scoreHandoff } from '../../src/handoff/handoff-score';
import type { HandoffSettings } from '../../src/handoff/handoff-settings';
import { transitionHandoff } from '../../src/handoff/handoff-state';
import type { LearnedModel } from '../../src/handoff/score-learned';
import { calendarFor, slaTimes } from '../../src/handoff/sla-clock';
import type { Config } from '../config';
import type { DatabaseHandle } from '../db/database';
import type { HubSpotClients } from '../hubspot/hubspot-client';
import { classifyHubSpotError } from '../hubspot/hubspot-error';
import type { RateBudget } from '../hubspot/rate-budget';
import type { Logger } from '../logger';
import { enqueueOutbox } from '../outbox/outbox.repository';
import { backoffDelay } from '../outbox/outbox-worker';
import {
  appendHandoffHistory,
  claimHandoffsToScore,
  type HandoffRow,
  updateHandoff,
} from './handoff.repository';
import type { StoredExplanation } from './handoff-explanation';
import {
  HANDOFF_CAMPAIGN_PROPERTY,
  HANDOFF_SOURCE_PROPERTY,
  handoffReadProperties,
} from './handoff-properties';
import { routeInTransaction } from './handoff-routing';
import { type PollingTask, pollingTask } from './polling-task';

/** HubSpot's batch read takes at most 100 ids. */
export const HANDOFF_BATCH_SIZE = 100;

export interface HandoffWorkerDeps {
  readonly database: DatabaseHandle;
  readonly clients: HubSpotClients;
  readonly budget: RateBudget;
  readonly logger: Logger;
  readonly now: () => number;
  readonly settings: HandoffSettings;
  readonly model: LearnedModel | undefined;
  /** Backoff, lease, poll interval and request timeout are the outbox's: same HubSpot, same patience. */
  readonly retry: Config['settings']['hubspot']['outbox'];
  readonly random?: () => number;
}

export interface ScoreResult {
  assigned: number;
  unassigned: number;
  retried: number;
  missing: number;
}

export interface HandoffWorker extends PollingTask {
  /** Claims one batch of episodes awaiting scoring and scores, routes and writes them. */
  scoreOnce(): Promise<ScoreResult>;
}

/**
 * Scores new episodes: one batch read of the claimed contacts from HubSpot (properties and, for recency rules,
 * their history), then per episode one transaction that stores score, owner and SLA, appends the history and
 * enqueues the HubSpot writes (score properties, owner, a task due at the SLA time). Keys derive from the
 * episode, so a redelivered trigger (which opens no new episode) can never write a second task.
 */
export function createHandoffWorker(deps: HandoffWorkerDeps): HandoffWorker {
  const workerId = `handoff-${randomUUID()}`;
  const random = deps.random ?? Math.random;
  const log = deps.logger.child({ component: 'handoff' });
  const read = handoffReadProperties(deps.settings, deps.model);

  async function scoreOnce(): Promise<ScoreResult> {
    const rows = await claimHandoffsToScore(deps.database.db, {
      now: deps.now(),
      limit: HANDOFF_BATCH_SIZE,
      leaseMs: deps.retry.leaseMs,
      workerId,
      rowLocks: deps.database.supportsRowLocks,
    });
    const result: ScoreResult = { assigned: 0, unassigned: 0, retried: 0, missing: 0 };
    const byPortal = new Map<number, HandoffRow[]>();
    for (const row of rows)
      byPortal.set(row.portal_id, [...(byPortal.get(row.portal_id) ?? []), row]);
    for (const [portalId, portalRows] of byPortal) {
      let contacts: Map<string, ContactSnapshot>;
      try {
        contacts = await readContacts(portalId, portalRows);
      } catch (error) {
        await retryLater(portalRows, error);
        result.retried += portalRows.length;
        continue;
      }
      for (const row of portalRows) {
        const contact = contacts.get(String(row.contact_id));
        if (!contact) {
          await closeMissing(row);
          result.missing += 1;
          continue;
        }
        result[await assign(row, contact)] += 1;
      }
    }
    return result;
  }

  async function readContacts(
    portalId: number,
    rows: readonly HandoffRow[],
  ): Promise<Map<string, ContactSnapshot>> {
    await deps.budget.take(portalId);
    const client = await deps.clients.forPortal(portalId);
    const response = await withTimeout(
      client.crm.contacts.batchApi.read({
        inputs: rows.map((row) => ({ id: String(row.contact_id) })),
        properties: read.properties,
        propertiesWithHistory: read.propertiesWithHistory,
      }),
      deps.retry.requestTimeoutMs,
    );
    const contacts = new Map<string, ContactSnapshot>();
    for (const result of response.results) {
      const history: Record<string, PropertyHistoryEntry[]> = {};
      for (const [property, entries] of Object.entries(result.propertiesWithHistory ?? {}))
        history[property] = entries.map((entry) => ({
          value: entry.value ?? null,
          timestamp:
            (entry.timestamp as unknown) instanceof Date
              ? entry.timestamp.getTime()
              : String(entry.timestamp),
        }));
      contacts.set(result.id, {
        properties: { ...result.properties },
        propertiesWithHistory: history,
      });
    }
    return contacts;
  }

  async function retryLater(rows: readonly HandoffRow[], error: unknown): Promise<void> {
    const failure = classifyHubSpotError(error);
    const now = deps.now();
    const portalId = rows[0]!.portal_id;
    for (const row of rows) {
      const attempts =
        failure.kind === 'rate_limited' ? row.scoring_attempts : row.scoring_attempts + 1;
      const delay =
        failure.kind === 'rate_limited'
          ? failure.retryAfterMs
          : backoffDelay(attempts, deps.retry, random);
      await updateHandoff(deps.database.db, row.id, ['scoring'], {
        scoring_attempts: attempts,
        next_attempt_at: now + delay,
        claimed_until: null,
        claimed_by: null,
        last_error: `${failure.kind}: ${failure.message}`.slice(0, 2000),
        updated_at: now,
      });
    }
    if (failure.kind === 'rate_limited')
      deps.budget.pauseUntil(portalId, now + failure.retryAfterMs);
    log.warn(
      { portalId, handoffIds: rows.map((row) => row.id), failure: failure.kind },
      `could not read ${rows.length} MQL contact(s) of portal ${portalId} from HubSpot (${failure.message}); scoring them later`,
    );
  }

  async function closeMissing(row: HandoffRow): Promise<void> {
    const now = deps.now();
    await deps.database.db.transaction().execute(async (trx) => {
      const closed = await updateHandoff(trx, row.id, ['scoring'], {
        status: 'recycled',
        closed_at: now,
        claimed_until: null,
        claimed_by: null,
        updated_at: now,
      });
      if (closed)
        await appendHandoffHistory(trx, {
          portalId: row.portal_id,
          handoffId: row.id,
          event: 'close',
          from: 'scoring',
          to: 'recycled',
          actor: 'truce',
          detail: { reason: 'contact not found in HubSpot (deleted or merged)' },
          at: now,
        });
    });
    log.warn(
      { portalId: row.portal_id, contactId: row.contact_id, handoffId: row.id },
      `contact ${row.contact_id} is gone from HubSpot; handoff ${row.id} closed without scoring`,
    );
  }

  async function assign(
    row: HandoffRow,
    contact: ContactSnapshot,
  ): Promise<'assigned' | 'unassigned'> {
    const { settings } = deps;
    const now = deps.now();
    const score = scoreHandoff(contact, settings.scoring, deps.model, now);
    const routingProperties: Record<string, string | null> = {};
    for (const property of [
      settings.routing.ownerProperty,
      ...settings.routing.territories.map((territory) => territory.property),
    ])
      routingProperties[property] = contact.properties[property] ?? null;
    const explanation: StoredExplanation = { score, routingProperties };
    const transition = transitionHandoff('pending', 'assign');

    const outcome = await deps.database.db.transaction().execute(async (trx) => {
      const decision = await routeInTransaction(trx, {
        portalId: row.portal_id,
        contact,
        settings,
        now,
        rowLocks: deps.database.supportsRowLocks,
      });
      const ownerId = decision.kind === 'unassigned' ? null : decision.ownerId;
      const owner = settings.routing.owners.find((candidate) => candidate.id === ownerId);
      const calendar = calendarFor(settings.sla, owner);
      const times = slaTimes(now, settings.sla, calendar);
      const stored = await updateHandoff(trx, row.id, ['scoring'], {
        status: transition.to,
        scored_at: now,
        score: score.score,
        grade: score.grade,
        explanation: JSON.stringify(explanation),
        owner_id: ownerId,
        assignment_reason: decision.reason,
        assigned_at: now,
        sla_due_at: times.dueAt,
        sla_reminder_at: times.reminderAt,
        source: textOrNull(contact.properties[HANDOFF_SOURCE_PROPERTY]),
        campaign: textOrNull(contact.properties[HANDOFF_CAMPAIGN_PROPERTY]),
        claimed_until: null,
        claimed_by: null,
        last_error: null,
        updated_at: now,
      });
      if (!stored) return undefined;
      await appendHandoffHistory(trx, {
        portalId: row.portal_id,
        handoffId: row.id,
        event: 'assign',
        from: 'scoring',
        to: transition.to,
        actor: 'truce',
        detail: {
          score: score.score,
          grade: score.grade,
          method: score.method,
          ownerId,
          routing: decision.kind,
          reason: decision.reason,
          dueAt: times.dueAt,
          reminderAt: times.reminderAt,
          effects: transition.effects,
        },
        at: now,
      });
      const properties: Record<string, string> = {
        truce_handoff_score: String(score.score),
        truce_handoff_grade: score.grade,
        truce_handoff_status: transition.to,
        truce_sla_due: String(times.dueAt),
      };
      if (decision.kind === 'assigned')
        properties[settings.routing.ownerProperty] = decision.ownerId;
      await enqueueOutbox(
        trx,
        {
          portalId: row.portal_id,
          idempotencyKey: `handoff-${row.id}:assign`,
          operation: 'contact.update',
          payload: { contactId: String(row.contact_id), properties },
        },
        now,
      );
      if (ownerId !== null && transition.effects.includes('create_owner_task'))
        await enqueueOutbox(
          trx,
          {
            portalId: row.portal_id,
            idempotencyKey: `handoff-${row.id}:task`,
            operation: 'task.create',
            payload: {
              contactId: String(row.contact_id),
              ownerId,
              subject: `Follow up: new MQL, grade ${score.grade} (score ${score.score})`,
              body: ownerTaskBody(score, decision.reason, times.dueAt, calendar.timezone),
              dueAt: times.dueAt,
              priority: score.grade === settings.scoring.grades[0]?.grade ? 'HIGH' : 'MEDIUM',
              taskType: 'TODO',
            },
          },
          now,
        );
      return { ownerId, dueAt: times.dueAt, timezone: calendar.timezone, reason: decision.reason };
    });
    if (!outcome) return 'unassigned';
    const due = formatLocal(outcome.dueAt, outcome.timezone);
    if (outcome.ownerId !== null)
      log.info(
        { portalId: row.portal_id, contactId: row.contact_id, handoffId: row.id },
        `contact ${row.contact_id} became MQL; handoff ${row.id} scored ${score.score} (${score.grade}), assigned to owner ${outcome.ownerId}, due ${due}`,
      );
    else
      log.warn(
        { portalId: row.portal_id, contactId: row.contact_id, handoffId: row.id },
        `contact ${row.contact_id} became MQL; handoff ${row.id} scored ${score.score} (${score.grade}) but has no owner (${outcome.reason}); due ${due}`,
      );
    return outcome.ownerId !== null ? 'assigned' : 'unassigned';
  }

  const task = pollingTask({
    name: 'handoff-scoring',
    pollIntervalMs: deps.retry.pollIntervalMs,
    logger: log,
    iterate: async () => {
      const result = await scoreOnce();
      const handled = result.assigned + result.unassigned + result.missing;
      return handled > 0 && handled + result.retried >= HANDOFF_BATCH_SIZE;
    },
  });
  return { ...task, scoreOnce };
}

function ownerTaskBody(
  score: ReturnType<typeof scoreHandoff>,
  routingReason: string,
  dueAt: number,
  timezone: string,
): string {
  const reasons = score.rules.reasons
    .filter((reason) => reason.points !== 0)
    .slice(0, 5)
    .map((reason) => `- ${reason.label}: ${reason.points > 0 ? '+' : ''}${reason.points}`);
  return [
    `Score ${score.score} (grade ${score.grade}, ${score.method}). First touch due ${formatLocal(dueAt, timezone)}.`,
    ...(reasons.length > 0 ? ['Why:', ...reasons] : []),
    `Routing: ${routingReason}.`,
    'Accept or reject it on the Truce card of this contact.',
  ].join('\n');
}

export function formatLocal(at: number, timezone: string): string {
  return DateTime.fromMillis(at, { zone: timezone }).toFormat("yyyy-LL-dd HH:mm '('z')'");
}

function textOrNull(value: string | null | undefined): string | null {
  const text = value?.trim();
  return text ? text : null;
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer from HubSpot within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
