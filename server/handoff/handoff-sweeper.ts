import type { Transaction } from 'kysely';

import type { HandoffSettings } from '../../src/handoff/handoff-settings';
import { transitionHandoff } from '../../src/handoff/handoff-state';
import { type Escalation, sweepHandoff } from '../../src/handoff/handoff-sweep';
import type { DatabaseHandle } from '../db/database';
import type { Database } from '../db/schema';
import type { Logger } from '../logger';
import { enqueueOutbox } from '../outbox/outbox.repository';
import {
  appendHandoffHistory,
  type HandoffRow,
  selectSweepCandidates,
  updateHandoff,
} from './handoff.repository';
import { parseExplanation } from './handoff-explanation';
import { routeInTransaction } from './handoff-routing';
import { formatLocal } from './handoff-worker';
import { type PollingTask, pollingTask } from './polling-task';

export const SWEEP_BATCH_SIZE = 100;

export interface SweepResult {
  reminded: number;
  breached: number;
}

export interface HandoffSweeper extends PollingTask {
  sweepOnce(): Promise<SweepResult>;
}

/**
 * The SLA sweeper: finds pending, untouched episodes whose reminder or due time has come, asks `sweepHandoff`
 * what to do, and does it in one transaction with the episode writes conditional on the status it saw (rows
 * locked with SKIP LOCKED on PostgreSQL), so several replicas never remind or escalate twice.
 */
export function createHandoffSweeper(deps: {
  database: DatabaseHandle;
  logger: Logger;
  now: () => number;
  settings: HandoffSettings;
  pollIntervalMs: number;
}): HandoffSweeper {
  const log = deps.logger.child({ component: 'handoff-sweeper' });
  const { settings } = deps;

  async function sweepOnce(): Promise<SweepResult> {
    const now = deps.now();
    const result: SweepResult = { reminded: 0, breached: 0 };
    const lines: string[] = [];
    await deps.database.db.transaction().execute(async (trx) => {
      const rows = await selectSweepCandidates(trx, {
        now,
        limit: SWEEP_BATCH_SIZE,
        rowLocks: deps.database.supportsRowLocks,
      });
      for (const row of rows) {
        const actions = sweepHandoff(
          {
            status: 'pending',
            ownerId: row.owner_id ?? '',
            dueAt: Number(row.sla_due_at),
            reminderAt: Number(row.sla_reminder_at ?? row.sla_due_at),
            reminderSentAt: row.reminder_sent_at,
            firstTouchAt: row.first_touch_at,
          },
          settings,
          now,
        );
        for (const action of actions) {
          if (action.kind === 'remind') {
            if (await remind(trx, row, now)) {
              result.reminded += 1;
              lines.push(`handoff ${row.id}: reminder to owner ${row.owner_id}`);
            }
          } else if (await breach(trx, row, action.escalation, now, lines)) result.breached += 1;
        }
      }
    });
    for (const line of lines) log.info(line);
    return result;
  }

  async function remind(
    trx: Transaction<Database>,
    row: HandoffRow,
    now: number,
  ): Promise<boolean> {
    const marked = await updateHandoff(trx, row.id, ['pending'], {
      reminder_sent_at: now,
      updated_at: now,
    });
    if (!marked || row.owner_id === null) return marked;
    await appendHandoffHistory(trx, {
      portalId: row.portal_id,
      handoffId: row.id,
      event: 'remind',
      from: 'pending',
      to: 'pending',
      actor: 'truce',
      detail: { ownerId: row.owner_id, dueAt: row.sla_due_at },
      at: now,
    });
    await enqueueOutbox(
      trx,
      {
        portalId: row.portal_id,
        idempotencyKey: `handoff-${row.id}:reminder`,
        operation: 'task.create',
        payload: {
          contactId: String(row.contact_id),
          ownerId: row.owner_id,
          subject: `Reminder: MQL first touch due ${formatLocal(Number(row.sla_due_at), timezoneOf(row.owner_id))}`,
          body: `The first touch of this MQL (handoff ${row.id}, grade ${row.grade ?? '?'}) is due soon. Call or email, or accept or reject it on the Truce card.`,
          dueAt: Number(row.sla_due_at),
          priority: 'HIGH',
          taskType: 'TODO',
        },
      },
      now,
    );
    return true;
  }

  async function breach(
    trx: Transaction<Database>,
    row: HandoffRow,
    escalation: Escalation,
    now: number,
    lines: string[],
  ): Promise<boolean> {
    const transition = transitionHandoff('pending', 'breach');
    const dueAt = Number(row.sla_due_at);
    const marked = await updateHandoff(trx, row.id, ['pending'], {
      status: transition.to,
      breached_at: dueAt,
      escalated_at: escalation.kind === 'none' ? null : now,
      updated_at: now,
    });
    if (!marked) return false;
    await appendHandoffHistory(trx, {
      portalId: row.portal_id,
      handoffId: row.id,
      event: 'breach',
      from: 'pending',
      to: transition.to,
      actor: 'truce',
      detail: { dueAt, overdueMs: now - dueAt, escalation },
      at: now,
    });
    const properties: Record<string, string> = { truce_handoff_status: transition.to };
    let line = `handoff ${row.id} (contact ${row.contact_id}) breached its SLA (owner ${row.owner_id ?? 'none'})`;

    if (escalation.kind === 'reassign') {
      const routingProperties = parseExplanation(row.explanation)?.routingProperties ?? {};
      const decision = await routeInTransaction(trx, {
        portalId: row.portal_id,
        contact: { properties: routingProperties },
        settings,
        now,
        rowLocks: deps.database.supportsRowLocks,
        excludeOwnerIds: escalation.excludeOwnerIds,
      });
      if (decision.kind === 'unassigned') {
        line += `; nobody to reassign to (${decision.reason})`;
      } else {
        const assign = transitionHandoff(transition.to, 'assign');
        await updateHandoff(trx, row.id, [transition.to], {
          owner_id: decision.ownerId,
          assignment_reason: `escalation: ${decision.reason}`,
          updated_at: now,
        });
        await appendHandoffHistory(trx, {
          portalId: row.portal_id,
          handoffId: row.id,
          event: 'assign',
          from: transition.to,
          to: assign.to,
          actor: 'truce',
          detail: {
            ownerId: decision.ownerId,
            previousOwnerId: row.owner_id,
            reason: decision.reason,
          },
          at: now,
        });
        properties[settings.routing.ownerProperty] = decision.ownerId;
        await escalationTask(trx, row, decision.ownerId, 'Reassigned MQL: SLA breached', now);
        line += `; reassigned to owner ${decision.ownerId}`;
      }
    } else if (escalation.kind === 'manager_task') {
      await escalationTask(
        trx,
        row,
        escalation.managerId,
        `SLA breached: MQL of owner ${row.owner_id ?? 'none'} untouched`,
        now,
      );
      line += `; task for manager ${escalation.managerId}`;
    } else {
      line += `; no escalation (${escalation.reason})`;
    }
    await enqueueOutbox(
      trx,
      {
        portalId: row.portal_id,
        idempotencyKey: `handoff-${row.id}:breach`,
        operation: 'contact.update',
        payload: { contactId: String(row.contact_id), properties },
      },
      now,
    );
    lines.push(line);
    return true;
  }

  async function escalationTask(
    trx: Transaction<Database>,
    row: HandoffRow,
    ownerId: string,
    subject: string,
    now: number,
  ): Promise<void> {
    await enqueueOutbox(
      trx,
      {
        portalId: row.portal_id,
        idempotencyKey: `handoff-${row.id}:escalation-task`,
        operation: 'task.create',
        payload: {
          contactId: String(row.contact_id),
          ownerId,
          subject,
          body: `Handoff ${row.id} (grade ${row.grade ?? '?'}) had no first sales touch by ${formatLocal(Number(row.sla_due_at), timezoneOf(row.owner_id))}.`,
          dueAt: now,
          priority: 'HIGH',
          taskType: 'TODO',
        },
      },
      now,
    );
  }

  function timezoneOf(ownerId: string | null): string {
    return (
      settings.routing.owners.find((owner) => owner.id === ownerId)?.timezone ??
      settings.sla.timezone
    );
  }

  const task = pollingTask({
    name: 'handoff-sla-sweeper',
    pollIntervalMs: deps.pollIntervalMs,
    logger: log,
    iterate: async () => {
      const result = await sweepOnce();
      return result.reminded + result.breached >= SWEEP_BATCH_SIZE;
    },
  });
  return { ...task, sweepOnce };
}
