import type { DatabaseHandle } from '../db/database';
import { AppError } from '../http/app-error';
import { describeZodError } from '../http/error-handler';
import { jsonDepthProblem } from '../http/json-depth';
import {
  classifyEvent,
  subjectObjectId,
  type WebhookBatch,
  webhookBatchSchema,
} from '../hubspot/webhook-event.schema';
import { findActivePortalIds } from '../portals/portal.repository';
import { sqliteInboxWriter } from './sqlite-inbox-writer';
import { insertWebhookEvents, type NewWebhookEvent } from './webhook-event.repository';

/**
 * The part of webhook intake after the signature: parse, validate, check portals, store. Shared by the HTTP
 * route and `truce replay`, so a recorded batch goes through exactly what a live one does.
 */

export interface StoredBatch {
  readonly events: number;
  readonly stored: number;
  readonly duplicates: number;
  readonly portalIds: readonly number[];
}

export function parseWebhookBatch(rawBody: string): WebhookBatch {
  const tooDeep = jsonDepthProblem(rawBody);
  if (tooDeep) throw new AppError('json_too_deep', `not a valid webhook batch: ${tooDeep}`, 400);
  let json: unknown;
  try {
    json = JSON.parse(rawBody);
  } catch (error) {
    throw new AppError(
      'malformed_json',
      `request body is not valid JSON: ${(error as { message?: string }).message ?? 'parse error'}`,
      400,
    );
  }
  const result = webhookBatchSchema.safeParse(json);
  if (!result.success) {
    throw new AppError(
      'invalid_batch',
      `not a valid webhook batch: ${describeZodError(result.error)}`,
      400,
    );
  }
  return result.data;
}

/**
 * Stores every event of the batch, or none of them: a batch naming a portal that is not installed is refused
 * whole (404), so HubSpot's retry of it cannot half-apply. Redelivered events are skipped. On SQLite the batch
 * joins a group commit with the batches of concurrent requests (`SqliteInboxWriter`); either way it is
 * committed before this resolves.
 */
export async function storeWebhookBatch(
  database: Pick<DatabaseHandle, 'db' | 'sqlite'>,
  batch: WebhookBatch,
  now: number,
): Promise<StoredBatch> {
  const portalIds = [...new Set(batch.map((event) => event.portalId))];
  const rows = batch.map((event) => toRow(event, now));
  let stored: number;
  if (database.sqlite) {
    const result = await sqliteInboxWriter(database.db, database.sqlite).write({ portalIds, rows });
    if (!result.ok) throw portalNotInstalled(result.unknownPortalIds);
    stored = result.stored;
  } else {
    const active = await findActivePortalIds(database.db, portalIds);
    const unknown = portalIds.filter((portalId) => !active.has(portalId));
    if (unknown.length > 0) throw portalNotInstalled(unknown);
    // One statement for the whole batch: all events are stored, or none and the request fails.
    stored = await insertWebhookEvents(database.db, rows);
  }
  return { events: batch.length, stored, duplicates: batch.length - stored, portalIds };
}

function portalNotInstalled(portalIds: readonly number[]): AppError {
  return new AppError(
    'portal_not_installed',
    `Truce is not installed for portal ${portalIds.join(', ')}; nothing of this batch was stored`,
    404,
  );
}

function toRow(event: WebhookBatch[number], now: number): NewWebhookEvent {
  const { objectType, change } = classifyEvent(event);
  return {
    portal_id: event.portalId,
    subscription_id: event.subscriptionId,
    event_id: event.eventId,
    occurred_at: event.occurredAt,
    object_id: subjectObjectId(event),
    property_name: event.propertyName ?? '',
    subscription_type: event.subscriptionType,
    object_type: objectType,
    change,
    payload: JSON.stringify(event),
    status: 'pending',
    attempts: 0,
    next_attempt_at: now,
    received_at: now,
  };
}
