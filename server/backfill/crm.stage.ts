import type { Touch } from '../../src/touchpoints/touch';
import { parseHubSpotTime } from '../../src/touchpoints/touch-key';
import {
  CONTACT_HISTORY_PROPERTIES,
  touchesFromContactHistory,
} from '../../src/touchpoints/touches-from-history';
import { requestAttributionJob } from '../attribution/attribution-job.repository';
import { normaliseContact, requestDealsOfContacts } from '../attribution/attribution-worker';
import { upsertTouches } from '../attribution/touchpoint.repository';
import {
  applyDealContactAssociation,
  applyExistenceChange,
  applyPropertyChange,
} from '../crm/crm-object.repository';
import { DEAL_PROPERTIES } from '../webhooks/crm-slice.handlers';
import { contactIdsOf, PAGE, type StageReader } from './backfill-stage';

/** The `contacts` and `deals` stages: what the webhook path would have read, for records that already exist. */

const DEAL_READ_PROPERTIES = [...Object.keys(DEAL_PROPERTIES), 'createdate', 'hs_lastmodifieddate'];

// ---- contacts: source and conversion history, as the webhook path reads it ----

export const readContactsPage: StageReader = async (context, after) => {
  const { reader, settings } = context;
  const page = await reader.call((client) =>
    client.crm.contacts.basicApi.getPage(PAGE, after ?? undefined, ['email']),
  );
  const ids = page.results.map((contact) => contact.id);
  const touches: Touch[] = [];
  if (ids.length > 0) {
    const read = await reader.call((client) =>
      client.crm.contacts.batchApi.read({
        inputs: ids.map((id) => ({ id })),
        properties: [...CONTACT_HISTORY_PROPERTIES],
        propertiesWithHistory: [...CONTACT_HISTORY_PROPERTIES],
      }),
    );
    for (const contact of read.results) {
      touches.push(
        ...touchesFromContactHistory(normaliseContact(contact), {
          rules: context.rules,
          alignWindowMs: settings.touchpoints.alignWindowMs,
          sessionWindowMs: settings.touchpoints.sessionWindowMs,
        }).touches,
      );
    }
  }
  return {
    next: page.paging?.next?.after ?? null,
    items: ids.length,
    touches,
    write: async (trx, at) => {
      const changed = await upsertTouches(trx, context.portalId, touches, 'history', at);
      if (changed > 0)
        await requestDealsOfContacts(trx, context.portalId, contactIdsOf(touches), at);
      return changed;
    },
  };
};

// ---- deals: the properties attribution reads and the deal's contacts; each deal is queued for attribution ----

export const readDealsPage: StageReader = async (context, after) => {
  const { reader } = context;
  const page = await reader.call((client) =>
    client.crm.deals.basicApi.getPage(PAGE, after ?? undefined, DEAL_READ_PROPERTIES),
  );
  const deals = page.results;
  const links =
    deals.length === 0
      ? []
      : (
          await reader.call((client) =>
            client.crm.associations.v4.batchApi.getPage('deals', 'contacts', {
              inputs: deals.map((deal) => ({ id: deal.id })),
            }),
          )
        ).results.flatMap((result) =>
          result.to.map((to) => ({
            dealId: Number(result._from.id),
            contactId: Number(to.toObjectId),
          })),
        );
  return {
    next: page.paging?.next?.after ?? null,
    items: deals.length,
    touches: [],
    write: async (trx, at) => {
      for (const deal of deals) {
        const dealId = Number(deal.id);
        // As of the deal's last modification: a webhook about a later change still wins.
        const asOf = parseHubSpotTime(deal.properties.hs_lastmodifieddate) ?? 0;
        const createdAt = parseHubSpotTime(deal.properties.createdate);
        await applyExistenceChange(trx, {
          type: 'deal',
          portalId: context.portalId,
          objectId: dealId,
          deleted: false,
          ...(createdAt !== undefined ? { createdAt } : {}),
          occurredAt: 0,
          now: at,
        });
        for (const [property, sliced] of Object.entries(DEAL_PROPERTIES)) {
          await applyPropertyChange(trx, {
            type: 'deal',
            portalId: context.portalId,
            objectId: dealId,
            column: sliced.column,
            value: sliced.parse(deal.properties[property]),
            occurredAt: asOf,
            now: at,
          });
        }
      }
      for (const link of links) {
        // The oldest possible change, so an association webhook about the same pair wins over it.
        await applyDealContactAssociation(trx, {
          portalId: context.portalId,
          ...link,
          associated: true,
          occurredAt: 0,
          now: at,
        });
      }
      for (const deal of deals) {
        await requestAttributionJob(
          trx,
          { portalId: context.portalId, kind: 'deal', objectId: Number(deal.id) },
          at,
        );
      }
      return 0;
    },
  };
};
