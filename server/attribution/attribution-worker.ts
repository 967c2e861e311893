import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';

import type { Client } from '@hubspot/api-client';

import { usesContactRoles } from '../../src/attribution/contact-roles';
import { effectiveChannelRules } from '../../src/touchpoints/channel-classifier';
import {
  CONTACT_HISTORY_PROPERTIES,
  type ContactWithHistory,
  type PropertyHistoryEntry,
  touchesFromContactHistory,
} from '../../src/touchpoints/touches-from-history';
import type { Settings } from '../config';
import { applyDealContactAssociation } from '../crm/crm-object.repository';
import type { DatabaseHandle } from '../db/database';
import type { HubSpotClients } from '../hubspot/hubspot-client';
import type { RateBudget } from '../hubspot/rate-budget';
import type { Logger } from '../logger';
import type { BackgroundTask } from '../service';
import {
  type AttributionJob,
  claimAttributionJobs,
  completeAttributionJob,
  failAttributionJob,
  requestAttributionJob,
} from './attribution-job.repository';
import { reconcileDealAttribution } from './deal-attribution.service';
import { DealPipelineCache, type StageOutcome } from './deal-pipelines';
import { upsertTouches } from './touchpoint.repository';
import { readWonDealDetails } from './won-deal-reads';

export interface AttributionWorkerDeps {
  readonly database: DatabaseHandle;
  readonly clients: HubSpotClients;
  readonly logger: Logger;
  readonly now: () => number;
  readonly settings: Pick<Settings, 'attribution' | 'touchpoints'>;
  /** The process's HubSpot request budget, shared with the outbox and the handoff worker. */
  readonly budget?: RateBudget;
}

export interface AttributionDrainResult {
  readonly contacts: number;
  readonly deals: number;
  readonly failed: number;
}

/**
 * Keeps touches and deal credits current. Webhook handlers only record what needs doing (a contact's touches
 * to re-read, a deal to re-attribute); this worker claims those jobs in batches — so several replicas share
 * the work — reads HubSpot (one batch read per portal and batch), stores touches, and reconciles deals. A
 * contact whose touches changed queues its deals again, so credits follow corrections.
 */
export class AttributionWorker implements BackgroundTask {
  readonly name = 'attribution-worker';
  readonly workerId = `${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`;
  private readonly pipelines: DealPipelineCache;
  private running = false;
  private loop: Promise<void> | undefined;
  private wakeUp: (() => void) | undefined;

  constructor(private readonly deps: AttributionWorkerDeps) {
    this.pipelines = new DealPipelineCache({ ttlMs: deps.settings.attribution.pipelineCacheMs });
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.wakeUp?.();
    await this.loop;
  }

  wake(): void {
    this.wakeUp?.();
  }

  /** One batch of contact jobs, then one batch of deal jobs (so fresh touches count for the deals). */
  async drainOnce(): Promise<AttributionDrainResult> {
    const contacts = await this.refreshContacts();
    const deals = await this.reconcileDeals();
    return {
      contacts: contacts.done,
      deals: deals.done,
      failed: contacts.failed + deals.failed,
    };
  }

  /** Drains until nothing is due (tests, CLI). */
  async drain(): Promise<AttributionDrainResult> {
    const total = { contacts: 0, deals: 0, failed: 0 };
    for (;;) {
      const step = await this.drainOnce();
      total.contacts += step.contacts;
      total.deals += step.deals;
      total.failed += step.failed;
      if (step.contacts + step.deals + step.failed === 0) return total;
    }
  }

  private async run(): Promise<void> {
    const { logger, settings } = this.deps;
    while (this.running) {
      let worked = 0;
      try {
        const step = await this.drainOnce();
        worked = step.contacts + step.deals + step.failed;
      } catch (error) {
        logger.error({ err: error }, 'attribution worker: claiming jobs failed');
      }
      if (worked === 0 && this.running) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, settings.attribution.worker.pollIntervalMs);
          this.wakeUp = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        this.wakeUp = undefined;
      }
    }
  }

  private claim(kind: 'contact_touches' | 'deal'): Promise<AttributionJob[]> {
    const { database, settings, now } = this.deps;
    return claimAttributionJobs(database.db, {
      kind,
      now: now(),
      limit: settings.attribution.worker.batchSize,
      leaseMs: settings.attribution.worker.claimLeaseMs,
      workerId: this.workerId,
      rowLocks: database.supportsRowLocks,
    });
  }

  private async refreshContacts(): Promise<{ done: number; failed: number }> {
    const jobs = await this.claim('contact_touches');
    let done = 0;
    let failed = 0;
    for (const [portalId, portalJobs] of byPortal(jobs)) {
      try {
        await this.refreshPortalContacts(portalId, portalJobs);
        done += portalJobs.length;
      } catch (error) {
        failed += portalJobs.length;
        await this.fail(portalJobs, error);
      }
    }
    return { done, failed };
  }

  private async refreshPortalContacts(portalId: number, jobs: AttributionJob[]): Promise<void> {
    const { database, settings, now } = this.deps;
    const client = await this.deps.clients.forPortal(portalId);
    await this.deps.budget?.take(portalId);
    const response = await client.crm.contacts.batchApi.read({
      inputs: jobs.map((job) => ({ id: String(job.objectId) })),
      properties: [...CONTACT_HISTORY_PROPERTIES],
      propertiesWithHistory: [...CONTACT_HISTORY_PROPERTIES],
    });
    const rules = effectiveChannelRules(settings.touchpoints.channels);
    const touches = response.results.flatMap(
      (contact) =>
        touchesFromContactHistory(normaliseContact(contact), {
          rules,
          alignWindowMs: settings.touchpoints.alignWindowMs,
          sessionWindowMs: settings.touchpoints.sessionWindowMs,
        }).touches,
    );
    const at = now();
    await database.db.transaction().execute(async (trx) => {
      const changed = await upsertTouches(trx, portalId, touches, 'history', at);
      if (changed > 0) {
        const contactIds = [...new Set(touches.map((touch) => Number(touch.contactId)))];
        await requestDealsOfContacts(trx, portalId, contactIds, at);
      }
      for (const job of jobs) await completeAttributionJob(trx, job);
    });
  }

  private async reconcileDeals(): Promise<{ done: number; failed: number }> {
    const jobs = await this.claim('deal');
    let done = 0;
    let failed = 0;
    for (const [portalId, portalJobs] of byPortal(jobs)) {
      let client: Client | undefined;
      // Called right before each HubSpot request, so each one takes a slot of the portal's budget.
      const getClient = async () => {
        await this.deps.budget?.take(portalId);
        return (client ??= await this.deps.clients.forPortal(portalId));
      };
      let stageOutcome;
      try {
        stageOutcome = await this.pipelines.wonStages(portalId, getClient, this.deps.now());
        const { attribution } = this.deps.settings;
        const won = await this.wonDealIds(portalId, portalJobs, stageOutcome);
        // Reading labels reads every won deal's contacts, so the missing-associations read is then redundant.
        if (!usesContactRoles(attribution.contactRoles)) {
          await this.readMissingAssociations(portalId, won, getClient);
        }
        await readWonDealDetails(this.deps.database.db, portalId, won, getClient, {
          ...attribution,
          now: this.deps.now(),
          warn: (message) => this.deps.logger.warn({ portalId }, message),
        });
      } catch (error) {
        failed += portalJobs.length;
        await this.fail(portalJobs, error);
        continue;
      }
      for (const job of portalJobs) {
        try {
          await reconcileDealAttribution(
            this.deps.database.db,
            { portalId, dealId: job.objectId },
            { stageOutcome, settings: this.deps.settings.attribution, now: this.deps.now() },
          );
          await completeAttributionJob(this.deps.database.db, job);
          done += 1;
        } catch (error) {
          failed += 1;
          await this.fail([job], error);
        }
      }
    }
    return { done, failed };
  }

  private async wonDealIds(
    portalId: number,
    jobs: readonly AttributionJob[],
    stageOutcome: StageOutcome,
  ): Promise<number[]> {
    const deals = await this.deps.database.db
      .selectFrom('deal')
      .select(['deal_id', 'pipeline', 'dealstage'])
      .where('portal_id', '=', portalId)
      .where(
        'deal_id',
        'in',
        jobs.map((job) => job.objectId),
      )
      .where('deleted', '=', 0)
      .execute();
    return deals.filter((deal) => stageOutcome(deal) === 'won').map((deal) => Number(deal.deal_id));
  }

  /**
   * A won deal whose associations never came as webhooks (created before the app was installed, or by an
   * import) gets them from one batch association read; stored as the oldest possible change, so any webhook
   * about the same pair wins over them.
   */
  private async readMissingAssociations(
    portalId: number,
    wonDealIds: readonly number[],
    client: () => Promise<Client>,
  ): Promise<void> {
    if (wonDealIds.length === 0) return;
    const { db } = this.deps.database;
    const known = await db
      .selectFrom('deal_contact')
      .select('deal_id')
      .distinct()
      .where('portal_id', '=', portalId)
      .where('deal_id', 'in', [...wonDealIds])
      .execute();
    const withContacts = new Set(known.map((row) => Number(row.deal_id)));
    const missing = wonDealIds.filter((id) => !withContacts.has(id)).map(String);
    if (missing.length === 0) return;
    const response = await (
      await client()
    ).crm.associations.v4.batchApi.getPage('deals', 'contacts', {
      inputs: missing.map((id) => ({ id })),
    });
    const now = this.deps.now();
    await db.transaction().execute(async (trx) => {
      for (const result of response.results) {
        for (const to of result.to) {
          await applyDealContactAssociation(trx, {
            portalId,
            dealId: Number(result._from.id),
            contactId: Number(to.toObjectId),
            associated: true,
            occurredAt: 0,
            now,
          });
        }
      }
    });
  }

  private async fail(jobs: readonly AttributionJob[], error: unknown): Promise<void> {
    const { database, logger, settings, now } = this.deps;
    const worker = settings.attribution.worker;
    const message =
      typeof error === 'object' && error !== null && 'message' in error
        ? String(error.message)
        : String(error);
    for (const job of jobs) {
      const dead = job.attempts + 1 >= worker.maxAttempts;
      const delay = Math.min(worker.retryMaxMs, worker.retryBaseMs * 2 ** job.attempts);
      await failAttributionJob(database.db, job, {
        error: message,
        nextAttemptAt: now() + delay,
        dead,
      });
      logger.warn(
        {
          portalId: job.portalId,
          kind: job.kind,
          objectId: job.objectId,
          attempts: job.attempts + 1,
        },
        `attribution job ${job.kind} ${job.objectId} failed${dead ? ' for good' : ''}: ${message}`,
      );
    }
  }
}

/** Deals a set of contacts is associated with get re-attributed (their touches changed). */
export async function requestDealsOfContacts(
  db: Parameters<typeof requestAttributionJob>[0],
  portalId: number,
  contactIds: readonly number[],
  now: number,
): Promise<void> {
  if (contactIds.length === 0) return;
  const deals = await db
    .selectFrom('deal_contact')
    .select('deal_id')
    .distinct()
    .where('portal_id', '=', portalId)
    .where('contact_id', 'in', contactIds)
    .where('associated', '=', 1)
    .execute();
  for (const deal of deals) {
    await requestAttributionJob(
      db,
      { portalId, kind: 'deal', objectId: Number(deal.deal_id) },
      now,
    );
  }
}

function byPortal(jobs: readonly AttributionJob[]): Map<number, AttributionJob[]> {
  const groups = new Map<number, AttributionJob[]>();
  for (const job of jobs) {
    const group = groups.get(job.portalId);
    if (group) group.push(job);
    else groups.set(job.portalId, [job]);
  }
  return groups;
}

interface SdkHistoryEntry {
  value: string;
  timestamp: Date | string | number;
  sourceType?: string;
  sourceId?: string;
}

/** The SDK parses history timestamps into Dates; the pure reader takes epoch ms or text. */
export function normaliseContact(contact: {
  id: string;
  properties: Record<string, string | null>;
  propertiesWithHistory?: Record<string, SdkHistoryEntry[]>;
}): ContactWithHistory {
  const history: Record<string, PropertyHistoryEntry[]> = {};
  for (const [property, entries] of Object.entries(contact.propertiesWithHistory ?? {})) {
    history[property] = entries.map((entry) => ({
      value: entry.value,
      timestamp: typeof entry.timestamp === 'object' ? entry.timestamp.getTime() : entry.timestamp,
      ...(entry.sourceType ? { sourceType: entry.sourceType } : {}),
    }));
  }
  return { id: contact.id, properties: contact.properties, propertiesWithHistory: history };
}
