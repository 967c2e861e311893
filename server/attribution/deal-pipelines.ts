import type { Client } from '@hubspot/api-client';

import type { DealTable } from '../db/schema';

/** won, lost or open, from the stage's metadata in the deal's pipeline. */
export type StageOutcome = (
  deal: Pick<DealTable, 'pipeline' | 'dealstage'>,
) => 'won' | 'lost' | 'open';

/**
 * Which deal stages are closed-won (and closed-lost), per portal, read from HubSpot's pipelines (`GET /crm/v3/pipelines/deals`)
 * and cached for a while: a stage is won when HubSpot marks it closed with probability 1.0. Stage ids are
 * per portal (`closedwon` is only the default pipeline's), so nothing is assumed.
 */
export class DealPipelineCache {
  private readonly byPortal = new Map<
    number,
    { fetchedAt: number; won: Map<string, Map<string, 'won' | 'lost' | 'open'>> }
  >();

  constructor(private readonly options: { ttlMs: number }) {}

  async wonStages(
    portalId: number,
    client: () => Promise<Client>,
    now: number,
  ): Promise<StageOutcome> {
    let entry = this.byPortal.get(portalId);
    if (!entry || now - entry.fetchedAt >= this.options.ttlMs) {
      const response = await (await client()).crm.pipelines.pipelinesApi.getAll('deals');
      const won = new Map<string, Map<string, 'won' | 'lost' | 'open'>>();
      for (const pipeline of response.results) {
        const stages = new Map<string, 'won' | 'lost' | 'open'>();
        for (const stage of pipeline.stages) {
          const metadata = stage.metadata as Record<string, string | undefined>;
          const closed = String(metadata.isClosed) === 'true';
          stages.set(
            stage.id,
            closed ? (Number(metadata.probability) === 1 ? 'won' : 'lost') : 'open',
          );
        }
        won.set(pipeline.id, stages);
      }
      entry = { fetchedAt: now, won };
      this.byPortal.set(portalId, entry);
    }
    const won = entry.won;
    return (deal) => {
      if (!deal.dealstage) return 'open';
      if (deal.pipeline) return won.get(deal.pipeline)?.get(deal.dealstage) ?? 'open';
      // Without a known pipeline, the stage id is looked up in every pipeline (ids are unique per portal).
      for (const stages of won.values()) {
        const outcome = stages.get(deal.dealstage);
        if (outcome) return outcome;
      }
      return 'open';
    };
  }
}
