import type { Sandbox } from './sandbox';
import type {
  CompanyRef,
  ContactRef,
  DealRef,
  DealStageRole,
  LineItemRef,
  Scenario,
  ScenarioAction,
} from './scenario-types';

export interface PlayState {
  readonly pipelineId: string;
  readonly stageIds: Readonly<Record<DealStageRole, string>>;
  readonly companies: Map<CompanyRef, string>;
  readonly contacts: Map<ContactRef, string>;
  readonly deals: Map<DealRef, string>;
  readonly lineItems: Map<LineItemRef, string>;
}

export interface PlayOptions {
  /** Pin the portal clock to each action's `at` so history and `occurredAt` follow the scenario (default true). */
  readonly pinTime?: boolean;
  /** A rep's accept/reject happens in Truce's card, not in HubSpot: the caller decides what to do with it. */
  readonly onDecision?: (
    action: Extract<ScenarioAction, { kind: 'lead.decision' }>,
    contactId: string,
  ) => Promise<void> | void;
  readonly onProgress?: (done: number, total: number) => void;
  /** Wait for webhook deliveries after every N actions, to keep the receiver's backlog bounded. */
  readonly flushEvery?: number;
  /** Play only actions at or before this time (resume with `from`). */
  readonly until?: number;
  /** Play only actions after this time. */
  readonly from?: number;
}

const EMAIL_CONTENT_ID_BASE = 4_700_000_000;

/**
 * Puts the scenario's owners, campaigns (with budgets and spend), forms and assets into the portal. They are
 * metadata, so nothing here produces webhooks.
 */
export function applyScenarioSetup(sandbox: Sandbox, scenario: Scenario): PlayState {
  const { admin } = sandbox;
  const { setup } = scenario;
  for (const owner of setup.owners) admin.addOwner(owner);
  for (const campaign of setup.campaigns) {
    admin.addCampaign({
      id: campaign.id,
      name: campaign.name,
      channel: campaign.channel,
      startDate: campaign.startDate,
      endDate: campaign.endDate,
      budget: [{ name: `${campaign.name} budget`, amount: campaign.budgetCents / 100 }],
      spend: campaign.spendItems.map((item) => ({
        name: item.name,
        amount: item.amountCents / 100,
      })),
      assets: [
        ...(campaign.emailCampaignId !== undefined
          ? [
              {
                // The email's content id differs from the send id its events carry.
                id: String(EMAIL_CONTENT_ID_BASE + campaign.emailCampaignId),
                name: campaign.name,
                type: 'MARKETING_EMAIL' as const,
                emailCampaignIds: [campaign.emailCampaignId],
              },
            ]
          : []),
        ...(campaign.channel === 'paid_social' || campaign.channel === 'paid_search'
          ? [{ name: `${campaign.name} ads`, type: 'AD_CAMPAIGN' as const }]
          : []),
      ],
    });
  }
  for (const form of setup.forms) admin.addForm(form);
  const { pipelineId, stages } = sandbox.seeded.pipeline;
  return {
    pipelineId,
    stageIds: stages,
    companies: new Map(),
    contacts: new Map(),
    deals: new Map(),
    lineItems: new Map(),
  };
}

function resolve<K extends string>(map: Map<K, string>, ref: K): string {
  const id = map.get(ref);
  if (id === undefined) throw new Error(`scenario reference ${ref} used before it was created`);
  return id;
}

/** Applies one action through the sandbox's admin API, so it produces the webhooks HubSpot would send. */
export async function applyScenarioAction(
  sandbox: Sandbox,
  state: PlayState,
  action: ScenarioAction,
  options: Pick<PlayOptions, 'onDecision'> = {},
): Promise<void> {
  const { admin } = sandbox;
  switch (action.kind) {
    case 'company.create':
      state.companies.set(action.company, admin.create('companies', { ...action.properties }));
      return;
    case 'contact.create': {
      const id = admin.create(
        'contacts',
        { ...action.properties },
        { source: action.changeSource },
      );
      state.contacts.set(action.contact, id);
      admin.associate('contacts', id, 'companies', resolve(state.companies, action.company));
      return;
    }
    case 'visit':
      admin.recordVisit(resolve(state.contacts, action.contact), {
        source: action.source,
        sourceData1: action.sourceData1,
        url: action.url,
        kind: action.interaction,
        ...(action.campaignId !== undefined ? { campaignId: action.campaignId } : {}),
      });
      return;
    case 'form.submit':
      admin.submitForm(action.formGuid, resolve(state.contacts, action.contact), {
        pageUrl: action.pageUrl,
      });
      return;
    case 'email.event':
      admin.emailEvent(resolve(state.contacts, action.contact), {
        type: action.type,
        emailCampaignId: action.emailCampaignId,
        emailName: action.emailName,
        campaignId: action.campaignId,
        ...(action.url !== undefined ? { url: action.url } : {}),
      });
      return;
    case 'contact.update':
      admin.update(
        'contacts',
        resolve(state.contacts, action.contact),
        { ...action.properties },
        {
          source: action.changeSource,
          ...(action.userId !== undefined
            ? { userId: action.userId, sourceId: `userId:${action.userId}` }
            : {}),
        },
      );
      return;
    case 'lead.decision':
      await options.onDecision?.(action, resolve(state.contacts, action.contact));
      return;
    case 'deal.create': {
      const id = admin.create('deals', {
        ...action.properties,
        pipeline: state.pipelineId,
        dealstage: state.stageIds[action.stage],
      });
      state.deals.set(action.deal, id);
      admin.associate('deals', id, 'contacts', resolve(state.contacts, action.contact));
      admin.associate('deals', id, 'companies', resolve(state.companies, action.company));
      return;
    }
    case 'lineItem.create': {
      const id = admin.create('line_items', { ...action.properties });
      state.lineItems.set(action.lineItem, id);
      admin.associate('deals', resolve(state.deals, action.deal), 'line_items', id);
      return;
    }
    case 'deal.update':
      admin.update(
        'deals',
        resolve(state.deals, action.deal),
        {
          ...action.properties,
          ...(action.stage ? { dealstage: state.stageIds[action.stage] } : {}),
        },
        action.userId !== undefined
          ? { source: 'CRM_UI', userId: action.userId, sourceId: `userId:${action.userId}` }
          : undefined,
      );
      return;
  }
}

/** Sets the scenario up and plays its timeline (or the `from`–`until` slice of it) into the sandbox. */
export async function playScenario(
  sandbox: Sandbox,
  scenario: Scenario,
  options: PlayOptions = {},
  state: PlayState = applyScenarioSetup(sandbox, scenario),
): Promise<PlayState> {
  const actions = scenario.timeline.filter(
    (a) =>
      (options.from === undefined || a.at > options.from) &&
      (options.until === undefined || a.at <= options.until),
  );
  const pin = options.pinTime ?? true;
  try {
    for (let i = 0; i < actions.length; i++) {
      const action = actions[i] as ScenarioAction;
      if (pin) sandbox.admin.setTime(action.at);
      await applyScenarioAction(sandbox, state, action, options);
      options.onProgress?.(i + 1, actions.length);
      if (options.flushEvery && (i + 1) % options.flushEvery === 0) await sandbox.flush();
    }
  } finally {
    if (pin) sandbox.admin.setTime(undefined);
  }
  return state;
}
