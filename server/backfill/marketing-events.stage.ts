import { parseHubSpotTime } from '../../src/touchpoints/touch-key';
import {
  touchFromEmailClick,
  touchFromFormSubmission,
} from '../../src/touchpoints/touches-from-events';
import { requestDealsOfContacts } from '../attribution/attribution-worker';
import { insertMissingTouches, upsertTouches } from '../attribution/touchpoint.repository';
import {
  contactIdsOf,
  EMAIL_SEND,
  PAGE,
  type PageResult,
  type StageContext,
  type StageReader,
} from './backfill-stage';
import { type CampaignAssetRow, campaignAssets } from './backfill-state.repository';
import {
  emailEventPageSchema,
  formSubmissionPageSchema,
  type FormSubmissionValues,
} from './hubspot-marketing.schema';

/**
 * The `form_submissions` and `email_clicks` stages: HubSpot's event feeds for the forms and email sends that
 * are campaign assets, turned into touches of the contacts they name by email.
 */

const FORM_PAGE = 50;

// ---- form submissions of every form that is a campaign asset ----

export const readFormSubmissionsPage: StageReader = async (context, cursor) => {
  return assetPage(context, cursor, 'FORM', async (asset, after) => {
    const page = await context.reader.getJson(
      `/form-integrations/v1/submissions/forms/${encodeURIComponent(asset.assetId)}`,
      formSubmissionPageSchema,
      { limit: FORM_PAGE, after: after ?? undefined },
    );
    const submissions = page.results.filter(
      (s) => context.since === undefined || (parseHubSpotTime(s.submittedAt) ?? 0) >= context.since,
    );
    const emails = submissions.map((s) => submissionEmail(s.values));
    const contacts = await contactsByEmail(context, emails);
    const touches = submissions.flatMap((submission, index) => {
      const contactId = contacts.get(emails[index] ?? '');
      if (!contactId) return [];
      const touch = touchFromFormSubmission(
        { contactId, formGuid: asset.assetId, submission, campaign: asset.campaignName },
        context.rules,
      );
      return touch ? [touch] : [];
    });
    return {
      next: page.paging?.next?.after ?? null,
      items: page.results.length,
      touches,
      write: async (trx, at) => {
        const inserted = await insertMissingTouches(trx, context.portalId, touches, 'history', at);
        if (inserted > 0)
          await requestDealsOfContacts(trx, context.portalId, contactIdsOf(touches), at);
        return inserted;
      },
    };
  });
};

// ---- marketing email clicks of every email that is a campaign asset ----

export const readEmailClicksPage: StageReader = async (context, cursor) => {
  return assetPage(context, cursor, EMAIL_SEND, async (asset, offset) => {
    const page = await context.reader.getJson('/email/public/v1/events', emailEventPageSchema, {
      campaignId: asset.assetId,
      eventType: 'CLICK',
      limit: PAGE,
      offset: offset ?? undefined,
      startTimestamp: context.since,
    });
    const { events } = page;
    const emails = events.map((event) => normaliseEmail(event.recipient));
    const contacts = await contactsByEmail(context, emails);
    const touches = events.flatMap((event, index) => {
      const contactId = contacts.get(emails[index] ?? '');
      if (!contactId) return [];
      const touch = touchFromEmailClick(
        { contactId, event, campaign: asset.campaignName },
        context.rules,
      );
      return touch ? [touch] : [];
    });
    return {
      next: page.hasMore && page.offset ? String(page.offset) : null,
      items: events.length,
      touches,
      write: async (trx, at) => {
        const changed = await upsertTouches(trx, context.portalId, touches, 'history', at);
        if (changed > 0)
          await requestDealsOfContacts(trx, context.portalId, contactIdsOf(touches), at);
        return changed;
      },
    };
  });
};

/**
 * Walks the assets of one type in a fixed order, one HubSpot page at a time; the stage cursor is
 * `{ asset, after }`, so a resumed run starts inside the asset it stopped in.
 */
async function assetPage(
  context: StageContext,
  cursor: string | null,
  assetType: 'FORM' | typeof EMAIL_SEND,
  readPage: (asset: CampaignAssetRow, after: string | null) => Promise<PageResult>,
): Promise<PageResult> {
  const assets = context.dryRun
    ? context.dryAssets
        .filter((a) => a.assetType === assetType)
        .sort((a, b) => (a.assetId < b.assetId ? -1 : 1))
    : await campaignAssets(context.db, context.portalId, assetType);
  const position = cursor ? (JSON.parse(cursor) as { asset: string; after: string | null }) : null;
  const index = position ? assets.findIndex((a) => a.assetId >= position.asset) : 0;
  const asset = index >= 0 ? assets[index] : undefined;
  if (!asset) return { next: null, items: 0, touches: [], write: () => Promise.resolve(0) };
  const after = position && position.asset === asset.assetId ? position.after : null;
  const page = await readPage(asset, after);
  const following = assets[index + 1];
  const next =
    page.next !== null
      ? JSON.stringify({ asset: asset.assetId, after: page.next })
      : following
        ? JSON.stringify({ asset: following.assetId, after: null })
        : null;
  return { ...page, next };
}

/** Form submissions and email events name the contact by email: one batch read (≤100) resolves a page. */
async function contactsByEmail(
  context: StageContext,
  emails: readonly string[],
): Promise<Map<string, string>> {
  const unique = [...new Set(emails.filter((email) => email !== ''))];
  const found = new Map<string, string>();
  for (let start = 0; start < unique.length; start += PAGE) {
    const response = await context.reader.call((client) =>
      client.crm.contacts.batchApi.read({
        inputs: unique.slice(start, start + PAGE).map((id) => ({ id })),
        idProperty: 'email',
        properties: ['email'],
        propertiesWithHistory: [],
      }),
    );
    for (const contact of response.results) {
      const email = normaliseEmail(contact.properties.email);
      if (email) found.set(email, contact.id);
    }
  }
  return found;
}

function normaliseEmail(value: string | null | undefined): string {
  return (value ?? '').trim().toLowerCase();
}

function submissionEmail(values: FormSubmissionValues): string {
  return normaliseEmail(values.find((value) => value.name === 'email')?.value);
}
