import type { Channel, Fit, OwnerProfile, ScenarioProduct } from './scenario-types';

/** The fixed inputs of a generated quarter: the marketing plan, the sales team's habits, the price list. */

export const HOUR = 3_600_000;
export const DAY = 24 * HOUR;

export interface CampaignPlan {
  readonly name: string;
  readonly channel: Channel;
  readonly source: string;
  readonly sourceData1: string;
  /** Mean lift before the seed's jitter. */
  readonly lift: number;
  /** Relative share of all touches. */
  readonly reach: number;
  readonly spendDollars: number;
}

/** The quarter's marketing plan; the seed jitters lifts and spend so every seed has its own truth. */
export const PLAN: readonly CampaignPlan[] = [
  {
    name: 'LinkedIn ABM',
    channel: 'paid_social',
    source: 'PAID_SOCIAL',
    sourceData1: 'LinkedIn',
    lift: 0.1,
    reach: 0.2,
    spendDollars: 18_000,
  },
  {
    name: 'Google Ads brand',
    channel: 'paid_search',
    source: 'PAID_SEARCH',
    sourceData1: 'Google',
    lift: 0.03,
    reach: 0.14,
    spendDollars: 9_000,
  },
  {
    name: 'Google Ads competitor',
    channel: 'paid_search',
    source: 'PAID_SEARCH',
    sourceData1: 'Google',
    lift: 0.08,
    reach: 0.1,
    spendDollars: 12_000,
  },
  {
    name: 'Webinar: closing the loop',
    channel: 'webinar',
    source: 'OTHER_CAMPAIGNS',
    sourceData1: 'webinar',
    lift: 0.15,
    reach: 0.1,
    spendDollars: 6_000,
  },
  {
    name: 'Nurture email series',
    channel: 'email',
    source: 'EMAIL_MARKETING',
    sourceData1: 'nurture',
    lift: 0.05,
    reach: 0.18,
    spendDollars: 1_500,
  },
  {
    name: 'Ebook: the SLA playbook',
    channel: 'content',
    source: 'ORGANIC_SEARCH',
    sourceData1: 'ebook',
    lift: 0.02,
    reach: 0.12,
    spendDollars: 3_000,
  },
  {
    name: 'Trade show booth',
    channel: 'event',
    source: 'OFFLINE',
    sourceData1: 'trade show',
    lift: 0.12,
    reach: 0.06,
    spendDollars: 25_000,
  },
  {
    name: 'Partner referrals',
    channel: 'referral',
    source: 'REFERRALS',
    sourceData1: 'partners',
    lift: 0.06,
    reach: 0.1,
    spendDollars: 4_000,
  },
];

export const OWNER_PROFILES: readonly OwnerProfile[] = [
  { label: 'fast', meanFirstTouchHours: 2, ignoreRate: 0.02, rejectRate: 0.12 },
  { label: 'fast', meanFirstTouchHours: 3, ignoreRate: 0.03, rejectRate: 0.2 },
  { label: 'steady', meanFirstTouchHours: 12, ignoreRate: 0.05, rejectRate: 0.25 },
  { label: 'slow', meanFirstTouchHours: 40, ignoreRate: 0.15, rejectRate: 0.15 },
  { label: 'picky', meanFirstTouchHours: 6, ignoreRate: 0.03, rejectRate: 0.55 },
  { label: 'slow_picky', meanFirstTouchHours: 30, ignoreRate: 0.1, rejectRate: 0.4 },
];

export const BASE_WIN: Readonly<Record<Fit, number>> = { high: 0.12, mid: 0.06, low: 0.02 };
export const MQL_RATE: Readonly<Record<Fit, number>> = { high: 0.85, mid: 0.55, low: 0.25 };
export const REJECT_FACTOR: Readonly<Record<Fit, number>> = { high: 0.4, mid: 1, low: 2 };
export const REASONS_BY_FIT: Readonly<Record<Fit, readonly number[]>> = {
  // weights over REJECTION_REASONS: bad_fit, no_intent, duplicate, unreachable, competitor, student_or_job_seeker
  high: [0.05, 0.2, 0.1, 0.3, 0.35, 0],
  mid: [0.25, 0.3, 0.05, 0.25, 0.1, 0.05],
  low: [0.45, 0.15, 0.05, 0.1, 0, 0.25],
};

export const PRODUCTS: readonly ScenarioProduct[] = [
  { name: 'Truce Team (annual seat)', priceCents: 60_000 },
  { name: 'Truce Scale (annual seat)', priceCents: 120_000 },
  { name: 'Onboarding package', priceCents: 250_000 },
  { name: 'Premium support', priceCents: 480_000 },
];

export const FIRST = [
  'Ava',
  'Ben',
  'Chloe',
  'Dev',
  'Elena',
  'Farid',
  'Grace',
  'Hiro',
  'Ines',
  'Jonas',
  'Kemi',
  'Liam',
  'Maya',
  'Noah',
  'Olga',
  'Pablo',
  'Rosa',
  'Sami',
  'Tara',
  'Vera',
  'Wen',
  'Yara',
];
export const LAST = [
  'Adler',
  'Brandt',
  'Costa',
  'Dubois',
  'Eriksen',
  'Fischer',
  'Garcia',
  'Haddad',
  'Ito',
  'Jansen',
  'Kowalski',
  'Larsen',
  'Moreau',
  'Okafor',
  'Petrov',
  'Rossi',
  'Silva',
  'Tanaka',
  'Weber',
];
export const COMPANIES = [
  'Acme',
  'Globex',
  'Initech',
  'Umbrella',
  'Hooli',
  'Stark',
  'Wayne',
  'Tyrell',
  'Cyberdyne',
  'Soylent',
  'Vandelay',
  'Wonka',
  'Aperture',
  'Oscorp',
];
export const COMPANY_SUFFIXES = [
  'Labs',
  'Systems',
  'Group',
  'Health',
  'Logistics',
  'Software',
  'Retail',
  'Energy',
];
export const TITLES_BY_FIT: Readonly<Record<Fit, readonly string[]>> = {
  high: ['VP Marketing', 'Head of Revenue Operations', 'CRO', 'VP Sales'],
  mid: ['Marketing Manager', 'Sales Manager', 'RevOps Analyst'],
  low: ['Student', 'Intern', 'Consultant', 'Freelancer'],
};
export const SIZE_BY_FIT: Readonly<Record<Fit, readonly string[]>> = {
  high: ['201-500', '501-1000', '1001-5000'],
  mid: ['51-200', '201-500'],
  low: ['1-10', '11-50'],
};
