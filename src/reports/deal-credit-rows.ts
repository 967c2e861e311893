import type { CreditRow } from './attribution-report';
import { attributePriceRealisation, type PriceRealisation } from './price-realisation';

/**
 * Turns one model's split of one won deal (net cents per touch, as the attribution engine gives it) into the
 * credit rows that are stored and reported: each touch's share of the discount follows its share of the
 * revenue, so gross, discount and net all add up to the deal's, to the cent.
 */

export interface ModelCredit {
  readonly touchId: string | null;
  readonly campaign: string | null;
  readonly channel: string;
  readonly netCents: number;
}

export interface WonDeal {
  readonly dealId: string;
  readonly currency: string;
  /** Reporting period of the close, e.g. `periodLabelOf(closedAt, 'quarter', zone)`. */
  readonly period: string;
  readonly realisation: PriceRealisation;
}

export function creditRowsForDeal(
  deal: WonDeal,
  model: string,
  credits: readonly ModelCredit[],
): CreditRow[] {
  const split = attributePriceRealisation(
    deal.realisation,
    credits.map((credit) => credit.netCents),
  );
  return credits.map((credit, index) => ({
    dealId: deal.dealId,
    model,
    touchId: credit.touchId,
    campaign: credit.campaign,
    channel: credit.channel,
    currency: deal.currency,
    grossCents: split[index]!.grossCents,
    discountCents: split[index]!.discountCents,
    netCents: split[index]!.netCents,
    period: deal.period,
  }));
}
