import type { CreditRow } from '../src/reports/attribution-report';

const MODELS = [
  'first_touch',
  'last_touch',
  'linear',
  'u_shaped',
  'w_shaped',
  'time_decay',
  'markov',
  'shapley',
];
const CHANNELS = [
  'email',
  'paid_search',
  'organic_search',
  'paid_social',
  'events',
  'referral',
  'direct',
];
const CAMPAIGNS = Array.from({ length: 200 }, (_, i) =>
  i === 7 ? '=SUM(A1:A9) campaign' : `2026 campaign ${String(i).padStart(3, '0')}`,
);

/** Deterministic credit rows shaped like the stored ones: 8 models × a few touches per deal. */
export function* generateCredits(count: number): Generator<CreditRow> {
  // mulberry32: small, fast and evenly spread over every modulus (an LCG's low bits are not).
  let seed = 42;
  const next = () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return (t ^ (t >>> 14)) >>> 0;
  };
  for (let i = 0; i < count; i += 1) {
    const net = next() % 5_000_000;
    const discount = next() % 500_000;
    yield {
      dealId: String(100_000 + Math.floor(i / 24)),
      model: MODELS[i % MODELS.length]!,
      touchId: `t-${i % 3}-${Math.floor(i / 24)}`,
      campaign: i % 11 === 0 ? null : CAMPAIGNS[next() % CAMPAIGNS.length]!,
      channel: CHANNELS[next() % CHANNELS.length]!,
      currency: i % 5 === 0 ? 'USD' : 'EUR',
      grossCents: net + discount,
      discountCents: discount,
      netCents: net,
      period: '2026-Q3',
    };
  }
}
