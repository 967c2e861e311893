import { createHash } from 'node:crypto';

import type { Client } from '@hubspot/api-client';
// Types only: importing the enums' values would load the SDK's whole generated tasks API (~15 MB resident)
// with the service, for two constants; `sdkEnum` checks the literals against the members instead.
import type {
  AssociationSpecAssociationCategoryEnum,
  FilterOperatorEnum,
} from '@hubspot/api-client/lib/codegen/crm/objects/tasks';
import {
  type PropertyCreateFieldTypeEnum,
  type PropertyCreateTypeEnum,
} from '@hubspot/api-client/lib/codegen/crm/properties';

import { classifyHubSpotError } from '../hubspot/hubspot-error';
import type { OutboxOperation, ParsedOutboxPayload } from './outbox-operations';

/** A member of one of the SDK's string enums from its value; the compiler checks that the value is the member's. */
function sdkEnum<Member extends string>(value: `${Member}`): Member {
  return value as Member;
}

/** HubSpot's association type id for task → contact (HUBSPOT.md §4). */
const TASK_TO_CONTACT = 204;

export interface ExecutionContext {
  readonly idempotencyKey: string;
  /** Attempts already made; above 0 a previous try may have succeeded before its result was recorded. */
  readonly attempts: number;
  /**
   * Takes one more request from the portal's rate budget. The worker takes one per write; an executor that
   * makes more than one HubSpot call awaits this before each further call, so the budget counts requests.
   */
  readonly nextCall: () => Promise<void>;
}

type Executor<Op extends OutboxOperation> = (
  client: Client,
  payload: ParsedOutboxPayload<Op>,
  context: ExecutionContext,
) => Promise<unknown>;

/**
 * A marker written into the task body so a retried `task.create` can find a task that an earlier, crashed
 * attempt created instead of creating a second one. Letters and digits only, so HubSpot's search tokenizer
 * keeps it whole.
 */
export function taskMarker(idempotencyKey: string): string {
  return `truce${createHash('sha256').update(idempotencyKey).digest('hex').slice(0, 20)}`;
}

async function ignoreConflict(call: () => Promise<unknown>): Promise<'created' | 'existed'> {
  try {
    await call();
    return 'created';
  } catch (error) {
    if (classifyHubSpotError(error).kind === 'conflict') return 'existed';
    throw error;
  }
}

const executors: { [Op in OutboxOperation]: Executor<Op> } = {
  'contact.update': async (client, payload, context) => {
    const properties = { ...payload.properties };
    let keptStage: string | undefined;
    if (payload.lifecycleStageUnlessAt && properties.lifecyclestage !== undefined) {
      const current = await client.crm.contacts.basicApi.getById(payload.contactId, [
        'lifecyclestage',
      ]);
      const stage = current.properties.lifecyclestage ?? '';
      if (payload.lifecycleStageUnlessAt.includes(stage)) {
        delete properties.lifecyclestage;
        keptStage = stage;
      }
    }
    if (Object.keys(properties).length === 0) return { id: payload.contactId, keptStage };
    if (payload.lifecycleStageUnlessAt && payload.properties.lifecyclestage !== undefined)
      await context.nextCall();
    const updated = await client.crm.contacts.basicApi.update(payload.contactId, { properties });
    return keptStage === undefined ? { id: updated.id } : { id: updated.id, keptStage };
  },

  'deal.update': async (client, payload) => {
    const updated = await client.crm.deals.basicApi.update(payload.dealId, {
      properties: payload.properties,
    });
    return { id: updated.id };
  },

  'task.create': async (client, payload, context) => {
    const marker = taskMarker(context.idempotencyKey);
    if (context.attempts > 0) {
      const found = await client.crm.objects.tasks.searchApi.doSearch({
        filterGroups: [
          {
            filters: [
              {
                propertyName: 'hs_task_body',
                operator: sdkEnum<FilterOperatorEnum.ContainsToken>('CONTAINS_TOKEN'),
                value: marker,
              },
            ],
          },
        ],
        properties: ['hs_task_subject'],
        limit: 1,
      });
      const existing = found.results[0];
      if (existing) return { id: existing.id, reused: true };
      await context.nextCall();
    }
    const properties: Record<string, string> = {
      hs_timestamp: new Date(payload.dueAt).toISOString(),
      hs_task_subject: payload.subject,
      hs_task_body: `${payload.body}\n\n(${marker})`,
      hs_task_status: 'NOT_STARTED',
      hs_task_priority: payload.priority,
      hs_task_type: payload.taskType,
    };
    if (payload.ownerId) properties.hubspot_owner_id = payload.ownerId;
    const created = await client.crm.objects.tasks.basicApi.create({
      properties,
      associations: [
        {
          to: { id: payload.contactId },
          types: [
            {
              associationCategory:
                sdkEnum<AssociationSpecAssociationCategoryEnum.HubspotDefined>('HUBSPOT_DEFINED'),
              associationTypeId: TASK_TO_CONTACT,
            },
          ],
        },
      ],
    });
    return { id: created.id };
  },

  'properties.ensure': async (client, payload, context) => {
    // One read first, then only what is missing: a retry after a 429 or a 5xx halfway through resumes where
    // the last attempt stopped instead of spending the request budget on 409s (with a budget smaller than the
    // number of properties, starting over every time would never finish).
    const existing = new Map(
      (await client.crm.properties.coreApi.getAll(payload.objectType)).results.map((property) => [
        property.name,
        property.groupName,
      ]),
    );
    const missing = payload.properties.filter((property) => !existing.has(property.name));
    const groupSeen = [...existing.values()].includes(payload.group.name);
    const group =
      groupSeen || missing.length === 0
        ? 'existed'
        : await ignoreConflict(async () => {
            await context.nextCall();
            return client.crm.properties.groupsApi.create(payload.objectType, {
              name: payload.group.name,
              label: payload.group.label,
            });
          });
    const properties: Record<string, 'created' | 'existed'> = {};
    for (const property of payload.properties) {
      if (existing.has(property.name)) {
        properties[property.name] = 'existed';
        continue;
      }
      await context.nextCall();
      properties[property.name] = await ignoreConflict(() =>
        client.crm.properties.coreApi.create(payload.objectType, {
          name: property.name,
          label: property.label,
          type: property.type as PropertyCreateTypeEnum,
          fieldType: property.fieldType as PropertyCreateFieldTypeEnum,
          groupName: payload.group.name,
          ...(property.description ? { description: property.description } : {}),
          ...(property.options
            ? {
                options: property.options.map((option, index) => ({
                  label: option.label,
                  value: option.value,
                  displayOrder: option.displayOrder ?? index,
                  hidden: false,
                })),
              }
            : {}),
        }),
      );
    }
    return { group, properties };
  },
};

export function executorFor<Op extends OutboxOperation>(operation: Op): Executor<Op> {
  return executors[operation];
}
