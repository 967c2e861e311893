import { allocateCents } from '../attribution/money-split';
import { ReportInputError } from './report-input-error';

/**
 * Price realisation of a won deal: what it would have brought at list price (gross), what it brought (net, the
 * deal amount) and the difference (the discount given). Computed from the deal's line items, or from a
 * configured list-price property, in exact decimal arithmetic (HubSpot sends numbers as decimal strings).
 * The discount is then split over the deal's revenue credits in the same proportions, to the cent.
 */

type Decimal = string | number | null | undefined;

/**
 * HubSpot line item properties: `price` per unit, `quantity`, `discount` an amount off per unit,
 * `hs_discount_percentage` a percent, and `hs_total_discount` the line's whole discount as HubSpot itself
 * calculated it (read-only in HubSpot; when present it is the authority).
 */
export interface LineItemPrices {
  readonly price?: Decimal;
  readonly quantity?: Decimal;
  readonly discount?: Decimal;
  readonly hs_discount_percentage?: Decimal;
  readonly hs_total_discount?: Decimal;
}

/** The line item properties `lineItemCents` reads; `amount` (the line's net) is read for the record. */
export const LINE_ITEM_PRICE_PROPERTIES = [
  'price',
  'quantity',
  'discount',
  'hs_discount_percentage',
  'hs_total_discount',
  'amount',
] as const;

export interface DealPriceInput {
  /** The deal amount: what the customer pays. */
  readonly amount: Decimal;
  readonly lineItems?: readonly LineItemPrices[];
  /** The value of the configured list-price property, used when the deal has no priced line items. */
  readonly listPrice?: Decimal;
}

export type PriceSource = 'line_items' | 'list_price' | 'none';

export interface PriceRealisation {
  readonly grossCents: number;
  readonly netCents: number;
  /** gross − net; negative when the deal was sold above list. */
  readonly discountCents: number;
  /** The part of the discount the line items themselves carry. */
  readonly lineDiscountCents: number;
  /** The rest: a discount (or premium) applied to the deal amount beyond its line items. */
  readonly dealDiscountCents: number;
  readonly source: PriceSource;
}

export function dealPriceRealisation(input: DealPriceInput): PriceRealisation {
  const amount = parseDecimal(input.amount, 'amount');
  const pricedLines = (input.lineItems ?? []).filter(
    (line) => parseDecimal(line.price, 'price') !== undefined,
  );
  if (pricedLines.length > 0) {
    let grossCents = 0;
    let lineDiscountCents = 0;
    for (const line of pricedLines) {
      const { gross, discount } = lineItemCents(line);
      grossCents += gross;
      lineDiscountCents += discount;
    }
    const netCents = amount ? toCents(amount) : grossCents - lineDiscountCents;
    return {
      grossCents,
      netCents,
      discountCents: grossCents - netCents,
      lineDiscountCents,
      dealDiscountCents: grossCents - lineDiscountCents - netCents,
      source: 'line_items',
    };
  }
  const netCents = amount ? toCents(amount) : 0;
  const listPrice = parseDecimal(input.listPrice, 'listPrice');
  if (listPrice) {
    const grossCents = toCents(listPrice);
    return {
      grossCents,
      netCents,
      discountCents: grossCents - netCents,
      lineDiscountCents: 0,
      dealDiscountCents: grossCents - netCents,
      source: 'list_price',
    };
  }
  return {
    grossCents: netCents,
    netCents,
    discountCents: 0,
    lineDiscountCents: 0,
    dealDiscountCents: 0,
    source: 'none',
  };
}

/** Gross (price × quantity) and discount of one line, each rounded half away from zero to the cent. */
export function lineItemCents(line: LineItemPrices): { gross: number; discount: number } {
  const price = parseDecimal(line.price, 'price') ?? ZERO;
  const quantity = parseDecimal(line.quantity, 'quantity') ?? ONE;
  const gross = multiply(price, quantity);
  const unitDiscount = parseDecimal(line.discount, 'discount');
  const percent = parseDecimal(line.hs_discount_percentage, 'hs_discount_percentage');
  const totalDiscount = parseDecimal(line.hs_total_discount, 'hs_total_discount');
  let discount: Exact = ZERO;
  // HubSpot applies one discount per line; an amount off wins over a percentage when both are set, and
  // HubSpot's own calculated total wins over both (it is what the deal's amount was built from).
  if (totalDiscount) discount = totalDiscount;
  else if (unitDiscount && unitDiscount.units !== 0n) discount = multiply(unitDiscount, quantity);
  else if (percent) discount = multiply(gross, { units: percent.units, scale: percent.scale + 2 });
  return { gross: toCents(gross), discount: toCents(discount) };
}

export interface SplitCredit {
  readonly grossCents: number;
  readonly discountCents: number;
  readonly netCents: number;
}

/**
 * Splits a deal's discount over its revenue credits (one model's credits, in net cents, summing to the deal's
 * net) in proportion to them; gross = net + discount per credit, and every column sums to the deal's figure.
 * A deal whose net is zero (a 100 % discount) splits the discount evenly.
 */
export function attributePriceRealisation(
  realisation: PriceRealisation,
  netCredits: readonly number[],
): SplitCredit[] {
  const total = netCredits.reduce((sum, cents) => sum + cents, 0);
  if (total !== realisation.netCents) {
    throw new ReportInputError(
      'invalid_split',
      `credits sum to ${total} cents but the deal's net amount is ${realisation.netCents} cents`,
    );
  }
  const discounts = allocateCents(realisation.discountCents, netCredits);
  return netCredits.map((netCents, index) => ({
    netCents,
    discountCents: discounts[index]!,
    grossCents: netCents + discounts[index]!,
  }));
}

interface Exact {
  readonly units: bigint;
  readonly scale: number;
}

const ZERO: Exact = { units: 0n, scale: 0 };
const ONE: Exact = { units: 1n, scale: 0 };

function parseDecimal(value: Decimal, field: string): Exact | undefined {
  if (value === null || value === undefined) return undefined;
  const text = typeof value === 'number' ? numberToText(value, field) : value.trim();
  if (text === '') return undefined;
  const match = /^([+-]?)(\d*)(?:\.(\d*))?$/.exec(text);
  if (!match || (match[2] === '' && (match[3] ?? '') === '')) {
    throw new ReportInputError('invalid_amount', `${field} "${text}" is not a decimal number`);
  }
  const fraction = match[3] ?? '';
  const units = BigInt(`${match[2] || '0'}${fraction}`);
  return { units: match[1] === '-' ? -units : units, scale: fraction.length };
}

function numberToText(value: number, field: string): string {
  if (!Number.isFinite(value)) {
    throw new ReportInputError('invalid_amount', `${field} ${value} is not a finite number`);
  }
  // Shortest round-trip text; exponent forms are expanded so the decimal parser sees digits only.
  const text = String(value);
  if (!/e/i.test(text)) return text;
  return value.toFixed(20).replace(/0+$/, '').replace(/\.$/, '');
}

function multiply(a: Exact, b: Exact): Exact {
  return { units: a.units * b.units, scale: a.scale + b.scale };
}

/** Rounds half away from zero to whole cents. */
function toCents(value: Exact): number {
  const scaled = value.units * 100n;
  const divisor = 10n ** BigInt(value.scale);
  const negative = scaled < 0n;
  const magnitude = negative ? -scaled : scaled;
  let cents = magnitude / divisor;
  if ((magnitude % divisor) * 2n >= divisor) cents += 1n;
  const result = Number(negative ? -cents : cents);
  if (!Number.isSafeInteger(result)) {
    throw new ReportInputError('invalid_amount', 'amount is too large to count in cents');
  }
  return result === 0 ? 0 : result;
}
