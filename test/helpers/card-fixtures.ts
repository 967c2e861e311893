import type {
  CardHandoff,
  ContactHandoffView,
  DealAttributionView,
} from '../../extensions/app/cards/api/contract';

/** Sample card API bodies: the card tests, `npm run cards:render` and the zod contract test share them. */

export const NOW = Date.UTC(2026, 10, 26, 14, 0);
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

export const REJECT_REASONS = [
  { code: 'not_icp', label: 'Not our customer profile' },
  { code: 'no_budget', label: 'No budget' },
  { code: 'bad_timing', label: 'Bad timing' },
  { code: 'duplicate', label: 'Duplicate or existing customer' },
];

export const pendingHandoff: CardHandoff = {
  id: 'h-41',
  status: 'pending',
  score: {
    value: 82,
    grade: 'A',
    reasons: [
      { label: 'Job title contains VP or Head', points: 25, source: 'rule' },
      { label: 'Requested a demo', points: 20, source: 'rule' },
      { label: 'Visited the pricing page 3×', points: 14.6, source: 'feature' },
      { label: 'Company size 200–1000', points: 12, source: 'rule' },
      { label: 'Free e-mail domain', points: -5, source: 'rule' },
    ],
  },
  owner: { id: '901', name: 'Dana Whitfield' },
  assignedAt: NOW - 3 * HOUR,
  sla: { state: 'due', dueAt: NOW + HOUR + 15 * 60_000, firstTouchAt: null, repDelayMs: 3 * HOUR },
  decision: null,
  canDecide: true,
};

export const contactView: ContactHandoffView = {
  contactId: '5101',
  handoff: pendingHandoff,
  touchpoints: [
    {
      id: 't-3',
      occurredAt: NOW - 3 * HOUR - 5 * 60_000,
      kind: 'form_submission',
      channel: 'Paid search',
      campaign: { id: 'c-7', name: 'Q4 Demo push' },
      label: 'Demo request form',
    },
    {
      id: 't-2',
      occurredAt: NOW - 2 * DAY,
      kind: 'email_click',
      channel: 'Email',
      campaign: { id: 'c-5', name: 'November newsletter' },
      label: 'Clicked “See pricing”',
    },
    {
      id: 't-1',
      occurredAt: NOW - 9 * DAY,
      kind: 'page_view_session',
      channel: 'Organic search',
      campaign: null,
      label: 'Blog: lead scoring that sales trusts',
    },
  ],
  rejectReasons: REJECT_REASONS,
  now: NOW,
};

export const breachedView: ContactHandoffView = {
  ...contactView,
  handoff: {
    ...pendingHandoff,
    status: 'breached',
    sla: { state: 'breached', dueAt: NOW - 2 * HOUR, firstTouchAt: null, repDelayMs: 6 * HOUR },
  },
};

export const acceptedView: ContactHandoffView = {
  ...contactView,
  handoff: {
    ...pendingHandoff,
    status: 'accepted',
    sla: {
      state: 'met',
      dueAt: NOW + HOUR,
      firstTouchAt: NOW - 20 * 60_000,
      repDelayMs: 160 * 60_000,
    },
    decision: {
      outcome: 'accepted',
      decidedBy: { id: '77', name: 'Sam Rep' },
      decidedAt: NOW - 20 * 60_000,
      reasonCode: null,
      reasonLabel: null,
      note: null,
    },
    canDecide: false,
  },
};

export const rejectedView: ContactHandoffView = {
  ...contactView,
  handoff: {
    ...pendingHandoff,
    status: 'rejected',
    sla: {
      state: 'met',
      dueAt: NOW + HOUR,
      firstTouchAt: NOW - 10 * 60_000,
      repDelayMs: 170 * 60_000,
    },
    decision: {
      outcome: 'rejected',
      decidedBy: { id: '77', name: 'Sam Rep' },
      decidedAt: NOW - 10 * 60_000,
      reasonCode: 'no_budget',
      reasonLabel: 'No budget',
      note: 'Budget frozen until Q2',
    },
    canDecide: false,
  },
};

export const noHandoffView: ContactHandoffView = { ...contactView, handoff: null, touchpoints: [] };

const MODELS = [
  { id: 'first_touch', label: 'First touch' },
  { id: 'last_touch', label: 'Last touch' },
  { id: 'linear', label: 'Linear' },
  { id: 'w_shaped', label: 'W-shaped' },
  { id: 'markov', label: 'Markov (order 1)' },
  { id: 'shapley', label: 'Shapley' },
];

const campaigns = {
  webinar: { id: 'c-3', name: 'RevOps webinar' },
  demo: { id: 'c-7', name: 'Q4 Demo push' },
  newsletter: { id: 'c-5', name: 'November newsletter' },
};

export const dealView: DealAttributionView = {
  dealId: '880',
  dealName: 'Acme Corp: annual plan',
  amountCents: 4_800_000,
  currency: 'USD',
  outcome: 'won',
  closedAt: NOW - DAY,
  expected: false,
  models: MODELS,
  model: 'w_shaped',
  credits: [
    { campaign: campaigns.webinar, channel: 'Events', creditCents: 1_920_000, share: 0.4 },
    { campaign: campaigns.demo, channel: 'Paid search', creditCents: 1_440_000, share: 0.3 },
    { campaign: campaigns.newsletter, channel: 'Email', creditCents: 960_000, share: 0.2 },
    { campaign: null, channel: 'Direct', creditCents: 480_000, share: 0.1 },
  ],
  spread: [
    {
      campaign: campaigns.webinar,
      minCents: 0,
      minModel: 'last_touch',
      maxCents: 4_800_000,
      maxModel: 'first_touch',
      ratio: null,
    },
    {
      campaign: campaigns.demo,
      minCents: 1_200_000,
      minModel: 'linear',
      maxCents: 1_680_000,
      maxModel: 'markov',
      ratio: 1.4,
    },
    {
      campaign: campaigns.newsletter,
      minCents: 600_000,
      minModel: 'shapley',
      maxCents: 1_200_000,
      maxModel: 'linear',
      ratio: 2,
    },
  ],
  journey: [
    {
      touchpointId: 't-10',
      occurredAt: NOW - 60 * DAY,
      kind: 'event_attendance',
      channel: 'Events',
      campaign: campaigns.webinar,
      contactId: '5101',
      milestones: ['FT'],
    },
    {
      touchpointId: 't-11',
      occurredAt: NOW - 45 * DAY,
      kind: 'form_submission',
      channel: 'Paid search',
      campaign: campaigns.demo,
      contactId: '5101',
      milestones: ['LC'],
    },
    {
      touchpointId: 't-12',
      occurredAt: NOW - 30 * DAY,
      kind: 'email_click',
      channel: 'Email',
      campaign: campaigns.newsletter,
      contactId: '5102',
      milestones: ['OC'],
    },
    {
      touchpointId: 't-13',
      occurredAt: NOW - 2 * DAY,
      kind: 'page_view_session',
      channel: 'Direct',
      campaign: null,
      contactId: '5102',
      milestones: ['CW'],
    },
  ],
  journeyOmitted: 0,
  computedAt: NOW - DAY,
};

export const openDealView: DealAttributionView = {
  ...dealView,
  journeyOmitted: 37,
  outcome: 'open',
  closedAt: null,
  expected: true,
  computedAt: NOW,
};

export const lostDealView: DealAttributionView = {
  ...dealView,
  outcome: 'lost',
  credits: [],
};

export const noTouchDealView: DealAttributionView = {
  ...openDealView,
  credits: [],
  spread: [],
  journey: [],
};
