import type { Client } from '@hubspot/api-client';
import type { Kysely } from 'kysely';

import { type ContactRoleWeights, usesContactRoles } from '../../src/attribution/contact-roles';
import {
  type DealPriceInput,
  dealPriceRealisation,
  LINE_ITEM_PRICE_PROPERTIES,
  type LineItemPrices,
  type PriceRealisation,
} from '../../src/reports/price-realisation';
import { ReportInputError } from '../../src/reports/report-input-error';
import type { Database } from '../db/schema';
import { classifyHubSpotError } from '../hubspot/hubspot-error';
import type { PriceRealisationSettings } from './deal-extras.schema';

const BATCH = 100;

/**
 * What a won deal's attribution reads from HubSpot beyond the webhook slice, in batches per claim of deals:
 * the deal's name and amount (plus the configured list-price property), its line items for the list price,
 * and — when contact-role weights are configured — the labels of its contact associations. Line items are
 * read on every recomputation because HubSpot sends no webhook for them; the stored list price then enters
 * the deal's input hash, so a changed price list recomputes the credits and an unchanged one does not.
 */
export async function readWonDealDetails(
  db: Kysely<Database>,
  portalId: number,
  dealIds: readonly number[],
  client: () => Promise<Client>,
  settings: {
    readonly priceRealisation: PriceRealisationSettings;
    readonly contactRoles: ContactRoleWeights;
    readonly now: number;
    /** Told when line items cannot be read (missing scope): the deals are then attributed at gross = net. */
    readonly warn?: (message: string) => void;
  },
): Promise<void> {
  if (dealIds.length === 0) return;
  const { priceRealisation, contactRoles, now } = settings;
  const listPriceProperty = priceRealisation.listPriceProperty;
  const dealProperties = ['dealname', 'amount', ...(listPriceProperty ? [listPriceProperty] : [])];
  const deals = new Map<string, Record<string, string | null>>();
  for (const ids of chunks(dealIds.map(String))) {
    const response = await (
      await client()
    ).crm.deals.batchApi.read({
      inputs: ids.map((id) => ({ id })),
      properties: dealProperties,
      propertiesWithHistory: [],
    });
    for (const deal of response.results) deals.set(deal.id, deal.properties);
  }

  const lineItemsOfDeal = new Map<string, string[]>();
  const lineItems = new Map<string, LineItemPrices>();
  let pricesRead = true;
  if (priceRealisation.lineItems) {
    try {
      await readLineItems([...deals.keys()], client, lineItemsOfDeal, lineItems);
    } catch (error) {
      // An installation that has not granted crm.objects.line_items.read still gets its credits.
      if (classifyHubSpotError(error).kind !== 'unauthorized') throw error;
      pricesRead = false;
      settings.warn?.(
        `line items of ${deals.size} won deal(s) could not be read (${errorMessage(error)}); their credits carry gross = net until the app may read line items`,
      );
    }
  }

  const labels = usesContactRoles(contactRoles)
    ? await readContactLabels([...deals.keys()], client)
    : undefined;

  await db.transaction().execute(async (trx) => {
    for (const [dealId, properties] of deals) {
      const realisation = priceOf({
        amount: properties.amount,
        lineItems: (lineItemsOfDeal.get(dealId) ?? []).flatMap((id) => {
          const line = lineItems.get(id);
          return line ? [line] : [];
        }),
        listPrice: listPriceProperty ? properties[listPriceProperty] : undefined,
      });
      const priced = realisation !== undefined && realisation.source !== 'none';
      const price = {
        list_price_cents: priced ? realisation.grossCents : null,
        line_discount_cents: priced ? realisation.lineDiscountCents : null,
        price_source: realisation?.source ?? 'invalid',
        price_read_at: now,
      };
      if (!pricesRead && !properties.dealname) continue;
      await trx
        .updateTable('deal')
        .set({
          // The read is the deal's current name; a later rename still arrives as a newer webhook.
          ...(properties.dealname ? { dealname: properties.dealname } : {}),
          // Unreadable line items leave the last known price as it was.
          ...(pricesRead ? price : {}),
        })
        .where('portal_id', '=', portalId)
        .where('deal_id', '=', Number(dealId))
        .execute();
    }
    for (const [dealId, contacts] of labels ?? []) {
      for (const [contactId, contactLabels] of contacts) {
        const roleLabels = JSON.stringify(contactLabels);
        // A pair no webhook announced is stored as the oldest possible change, so any webhook wins over it.
        await trx
          .insertInto('deal_contact')
          .values({
            portal_id: portalId,
            deal_id: Number(dealId),
            contact_id: Number(contactId),
            associated: 1,
            changed_at: 0,
            updated_at: now,
            role_labels: roleLabels,
          })
          .onConflict((oc) =>
            oc
              .columns(['portal_id', 'deal_id', 'contact_id'])
              .doUpdateSet({ role_labels: roleLabels, updated_at: now }),
          )
          .execute();
      }
    }
  });
}

async function readLineItems(
  dealIds: readonly string[],
  client: () => Promise<Client>,
  lineItemsOfDeal: Map<string, string[]>,
  lineItems: Map<string, LineItemPrices>,
): Promise<void> {
  for (const ids of chunks(dealIds)) {
    const response = await (
      await client()
    ).crm.associations.v4.batchApi.getPage('deals', 'line_items', {
      inputs: ids.map((id) => ({ id })),
    });
    for (const result of response.results) {
      lineItemsOfDeal.set(
        String(result._from.id),
        result.to.map((to) => String(to.toObjectId)),
      );
    }
  }
  const allLineItems = [...new Set([...lineItemsOfDeal.values()].flat())];
  for (const ids of chunks(allLineItems)) {
    const response = await (
      await client()
    ).crm.lineItems.batchApi.read({
      inputs: ids.map((id) => ({ id })),
      properties: [...LINE_ITEM_PRICE_PROPERTIES],
      propertiesWithHistory: [],
    });
    for (const line of response.results) lineItems.set(line.id, line.properties);
  }
}

function errorMessage(error: unknown): string {
  return classifyHubSpotError(error).message;
}

/**
 * A price HubSpot sends that is not a decimal number (a hand-edited custom property) must not block the
 * deal's attribution: the deal is then reported at gross = net, marked `invalid`.
 */
function priceOf(input: DealPriceInput): PriceRealisation | undefined {
  try {
    return dealPriceRealisation(input);
  } catch (error) {
    if (error instanceof ReportInputError) return undefined;
    throw error;
  }
}

/** deal id → contact id → the association's labels (unlabelled associations give an empty list). */
async function readContactLabels(
  dealIds: readonly string[],
  client: () => Promise<Client>,
): Promise<Map<string, Map<string, string[]>>> {
  const result = new Map<string, Map<string, string[]>>();
  for (const ids of chunks(dealIds)) {
    const response = await (
      await client()
    ).crm.associations.v4.batchApi.getPage('deals', 'contacts', {
      inputs: ids.map((id) => ({ id })),
    });
    for (const row of response.results) {
      const contacts = new Map<string, string[]>();
      for (const to of row.to) {
        const names = to.associationTypes
          .map((type) => type.label)
          .filter((label): label is string => typeof label === 'string' && label.trim() !== '');
        contacts.set(String(to.toObjectId), [...new Set(names)]);
      }
      result.set(String(row._from.id), contacts);
    }
  }
  return result;
}

function chunks<T>(items: readonly T[]): T[][] {
  const out: T[][] = [];
  for (let start = 0; start < items.length; start += BATCH) {
    out.push(items.slice(start, start + BATCH));
  }
  return out;
}
