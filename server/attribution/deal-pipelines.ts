import type { Client } from '@hubspot/api-client';

import type { DealTable } from '../db/schema';

/**
 * Which deal stages are closed-won, per portal, read from HubSpot's pipelines (`GET /crm/v3/pipelines/deals`)
 * and cached for a while: a stage is won when HubSpot marks it closed with probability 1.0. Stage ids are
 * per portal (`closedwon` is only the default pipeline's), so nothing is assumed.
 */
export class DealPipelineCache {
  private readonly byPortal = new Map<
    number,
    { fetchedAt: number; won: Map<string, Set<string>> }
  >();

  constructor(private readonly options: { ttlMs: number }) {}

  async wonStages(
    portalId: number,
    client: () => Promise<Client>,
    now: number,
  ): Promise<(deal: Pick<DealTable, 'pipeline' | 'dealstage'>) => boolean> {
    let entry = this.byPortal.get(portalId);
    if (!entry || now - entry.fetchedAt >= this.options.ttlMs) {
      const response = await (await client()).crm.pipelines.pipelinesApi.getAll('deals');
      const won = new Map<string, Set<string>>();
      for (const pipeline of response.results) {
        const stages = new Set<string>();
        for (const stage of pipeline.stages) {
          const metadata = stage.metadata as Record<string, string | undefined>;
          if (String(metadata.isClosed) === 'true' && Number(metadata.probability) === 1) {
            stages.add(stage.id);
          }
        }
        won.set(pipeline.id, stages);
      }
      entry = { fetchedAt: now, won };
      this.byPortal.set(portalId, entry);
    }
    const won = entry.won;
    return (deal) => {
      if (!deal.dealstage) return false;
      if (deal.pipeline) return won.get(deal.pipeline)?.has(deal.dealstage) ?? false;
      // Without a known pipeline, a stage id that is won in any pipeline counts (ids are unique per portal).
      return [...won.values()].some((stages) => stages.has(deal.dealstage!));
    };
  }
}
