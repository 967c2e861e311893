import type { InjectedFaults } from '../../sandbox/api-guards';
import type { ScenarioAction } from '../../sandbox/scenario-types';
import type { DeliveryStats } from '../../sandbox/webhook-dispatcher';
import { signWebhookRequest } from '../../sandbox/webhook-signer';
import { type DecisionAction, playTimeline } from '../../server/demo/demo-play';
import { reportClient } from '../../server/demo/demo-reports';
import { type DemoStack, startDemoStack } from '../../server/demo/demo-stack';
import { type StorySnapshot, storySnapshot } from './story-snapshot';

export interface StoryOptions {
  readonly seed: number;
  readonly contacts: number;
  /** Webhook duplicates and reordering, a small request budget (429s) and HubSpot outage windows. */
  readonly faulted: boolean;
  /** `DATABASE_URL` of the service (default: a SQLite file). */
  readonly databaseUrl?: string;
}

export interface DecisionRecord {
  readonly contact: string;
  readonly decision: 'accepted' | 'rejected';
  /** HTTP status of the signed card POST (200, or 409 when the episode had already moved on). */
  readonly status: number;
  readonly handoffStatus: string | null;
}

export interface StoryRun {
  readonly stack: DemoStack;
  readonly snapshot: StorySnapshot;
  readonly decisions: readonly DecisionRecord[];
  readonly injected: InjectedFaults;
  readonly webhookStats: DeliveryStats;
  readonly outageWindows: number;
  close(): Promise<void>;
}

/** A small request budget on the sandbox clock: bursts (install, catch-up, attribution reads) meet 429s. */
const FAULTED_RATE_LIMIT = { perTenSeconds: 6, searchPerSecond: 2, sendRetryAfter: true };
/** Every Nth MQL starts a HubSpot outage (503 for every call) of this long on the scenario clock. */
const OUTAGE_EVERY_MQLS = 4;
const OUTAGE_MS = 4_000;
/** While the test waits for the service, the shared clock runs this much per poll (retries, 429 pauses). */
const WAIT_STEP_MS = 250;

function isMql(action: ScenarioAction): boolean {
  return (
    action.kind === 'contact.update' &&
    action.properties.lifecyclestage === 'marketingqualifiedlead'
  );
}

/**
 * The whole story of issue 8 through the sandbox and the real service: install, the quarter played as
 * webhooks with reps deciding in the signed card API, SLA sweeps on the scenario clock, deals won, spend
 * posted, then the final state captured as a normalised snapshot.
 */
export async function runStory(options: StoryOptions): Promise<StoryRun> {
  const stack = await startDemoStack({
    seed: options.seed,
    contacts: options.contacts,
    decisionsVia: 'card',
    consoleLogLevel: 'silent',
    ...(options.databaseUrl ? { databaseUrl: options.databaseUrl } : {}),
    ...(options.faulted ? { rateLimit: FAULTED_RATE_LIMIT } : {}),
    rules: (defaults, ownerIds) => {
      const manager = ownerIds[0] as string;
      return {
        ...defaults,
        handoff: {
          routing: {
            keepExistingOwner: true,
            owners: ownerIds.map((id) => ({ id, weight: 1, managerId: manager })),
          },
          sla: { escalation: { action: 'manager_task' } },
        },
        // Retries on the scenario clock, short enough to ride out an outage between two actions.
        webhooks: { retryBaseMs: 20, retryMaxMs: 1_000, pollIntervalMs: 20 },
        hubspot: {
          requestsPerTenSeconds: 1000,
          outbox: { pollIntervalMs: 20, baseDelayMs: 20, maxDelayMs: 1_000, maxAttempts: 100 },
        },
        attribution: {
          worker: { pollIntervalMs: 20, retryBaseMs: 20, retryMaxMs: 1_000, maxAttempts: 100 },
        },
      };
    },
  });
  const { sandbox, scenario, clock } = stack;
  const decisions: DecisionRecord[] = [];
  let outageWindows = 0;
  try {
    if (options.faulted) {
      await adminPost(sandbox.url, '/_sandbox/faults', {
        webhooks: { outOfOrder: true, duplicateRate: 0.25 },
      });
    }
    let mqls = 0;
    await playTimeline(stack, {
      catchUp: { onWait: () => clock.advanceTo(clock.now() + WAIT_STEP_MS) },
      settleBefore: (action) => action.kind === 'deal.create',
      beforeAction: async (action) => {
        if (!options.faulted || !isMql(action)) return;
        mqls += 1;
        if (mqls % OUTAGE_EVERY_MQLS === 1) {
          outageWindows += 1;
          await adminPost(sandbox.url, '/_sandbox/faults', { api: { outageForMs: OUTAGE_MS } });
        }
      },
      onDecision: async (action, contactId) => {
        decisions.push(await decideOnCard(stack, action, contactId));
      },
    });
    // Spend per campaign and period, as RevOps would post it; then every report the story ends with.
    const client = reportClient(stack.serviceUrl, stack.apiKey);
    const quarter = new Date(scenario.setup.quarterStart);
    const period = `${quarter.getUTCFullYear()}-Q${Math.floor(quarter.getUTCMonth() / 3) + 1}`;
    await client.post('/api/v1/spend', scenarioSpend(scenario, period));
    const snapshot = await storySnapshot(stack, decisions);
    return {
      stack,
      snapshot,
      decisions,
      injected: { ...sandbox.injectedFaults },
      webhookStats: sandbox.webhooks.stats(),
      outageWindows,
      close: () => stack.close(),
    };
  } catch (error) {
    await stack.close().catch(() => undefined);
    throw error;
  }
}

async function adminPost(baseUrl: string, route: string, body: unknown): Promise<void> {
  const response = await fetch(`${baseUrl}${route}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`sandbox ${route} answered ${response.status}`);
}

/** A signed `hubspot.fetch` of the contact card, as HubSpot sends it on behalf of the rep. */
async function cardFetch(
  stack: DemoStack,
  method: 'GET' | 'POST',
  route: string,
  userId: number,
  body?: unknown,
): Promise<Response> {
  const url = `${stack.serviceUrl}${route}?portalId=${stack.sandbox.portalId}&userId=${userId}`;
  const text = body === undefined ? '' : JSON.stringify(body);
  const headers = signWebhookRequest({
    secret: stack.clientSecret,
    method,
    uri: url,
    body: text,
    timestamp: stack.clock.now(),
    legacyVersion: 'v2',
  });
  return fetch(url, {
    method,
    headers: {
      'content-type': 'application/json',
      'X-HubSpot-Signature-v3': headers['X-HubSpot-Signature-v3'],
      'X-HubSpot-Request-Timestamp': headers['X-HubSpot-Request-Timestamp'],
    },
    ...(method === 'POST' ? { body: text } : {}),
  });
}

/** The rep opens the card (to learn the episode) and accepts or rejects with the scenario's reason. */
async function decideOnCard(
  stack: DemoStack,
  action: DecisionAction,
  contactId: string,
): Promise<DecisionRecord> {
  const owner = stack.scenario.setup.owners.find((o) => o.id === action.ownerId);
  const userId = owner?.userId ?? 1;
  const view = await cardFetch(stack, 'GET', `/api/card/contacts/${contactId}/handoff`, userId);
  if (view.status !== 200) throw new Error(`card view answered ${view.status}`);
  const shown = (await view.json()) as { handoff: { id: string; status: string } | null };
  if (!shown.handoff)
    return { contact: action.contact, decision: action.decision, status: 0, handoffStatus: null };
  const verb = action.decision === 'accepted' ? 'accept' : 'reject';
  const response = await cardFetch(
    stack,
    'POST',
    `/api/card/contacts/${contactId}/handoff/${verb}`,
    userId,
    {
      handoffId: shown.handoff.id,
      ...(action.decision === 'rejected' ? { reasonCode: action.reason, note: '' } : {}),
    },
  );
  const answer = (await response.json()) as { handoff?: { status: string } | null };
  return {
    contact: action.contact,
    decision: action.decision,
    status: response.status,
    handoffStatus: answer.handoff?.status ?? null,
  };
}

/** The scenario's spend per campaign as one `POST /api/v1/spend` body, so ROI is in the compared report. */
function scenarioSpend(scenario: DemoStack['scenario'], period: string) {
  return {
    entries: scenario.setup.campaigns.map((campaign) => ({
      campaign: campaign.name,
      period,
      currency: 'USD',
      cents: campaign.spendCents,
      source: 'demo',
    })),
  };
}
