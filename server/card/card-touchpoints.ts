import type { Kysely, Transaction } from 'kysely';

import {
  type CampaignRef,
  type CardTouchpoint,
  TOUCHPOINT_KINDS,
  type TouchpointKind,
} from '../../extensions/app/cards/api/contract';
import type { Database } from '../db/schema';

/** The contract allows at most this many touchpoints on the contact card (newest kept). */
export const CARD_TOUCHPOINT_LIMIT = 50;

const KIND_LABELS: Record<TouchpointKind, string> = {
  form_submission: 'Form submission',
  email_click: 'Email click',
  ad_click: 'Ad click',
  page_view_session: 'Visit',
  event_attendance: 'Event',
  offline: 'Offline touch',
  sales_activity: 'Sales activity',
};

export function campaignRef(campaign: string | null): CampaignRef | null {
  return campaign === null ? null : { id: campaign, name: campaign };
}

/** Truce's touch kinds as the card knows them; anything newer shows as an offline touch. */
export function cardKind(kind: string | undefined): TouchpointKind {
  return (TOUCHPOINT_KINDS as readonly string[]).includes(kind ?? '')
    ? (kind as TouchpointKind)
    : 'offline';
}

/** The contact's most recent touchpoints for the card's timeline, oldest first. */
export async function contactCardTouchpoints(
  db: Kysely<Database> | Transaction<Database>,
  portalId: number,
  contactId: number,
): Promise<CardTouchpoint[]> {
  const rows = await db
    .selectFrom('touchpoint')
    .select(['id', 'at', 'kind', 'channel', 'campaign'])
    .where('portal_id', '=', portalId)
    .where('contact_id', '=', contactId)
    .orderBy('at', 'desc')
    .orderBy('id', 'desc')
    .limit(CARD_TOUCHPOINT_LIMIT)
    .execute();
  return rows.reverse().map((row) => {
    const kind = cardKind(row.kind);
    return {
      id: String(row.id),
      occurredAt: Number(row.at),
      kind,
      channel: row.channel,
      campaign: campaignRef(row.campaign),
      label: `${KIND_LABELS[kind]} · ${row.channel}${row.campaign ? ` · ${row.campaign}` : ''}`,
    };
  });
}
