import nock from 'nock';

const DAY = 86_400_000;
const iso = (ms: number) => new Date(ms).toISOString();

/** A HubSpot batch endpoint's answer (`status: COMPLETE`), stamped at `at`. */
export function batchAnswer<T>(
  results: T[],
  at: number,
): { status: 'COMPLETE'; startedAt: string; completedAt: string; results: T[] } {
  return { status: 'COMPLETE', startedAt: iso(at), completedAt: iso(at), results };
}

export interface DealStage {
  readonly id: string;
  /** Defaults to the id. */
  readonly label?: string;
  readonly isClosed: boolean;
  readonly probability: string;
}

/**
 * Answers `GET /crm/v3/pipelines/deals` on `api`, for as long as the test runs, with one `sales` pipeline
 * holding these stages in order, all created a year before `at`.
 */
export function nockDealPipeline(api: string, at: number, stages: readonly DealStage[]): void {
  const created = iso(at - 400 * DAY);
  nock(api)
    .persist()
    .get('/crm/v3/pipelines/deals')
    .reply(200, {
      results: [
        {
          id: 'sales',
          label: 'Sales',
          displayOrder: 0,
          archived: false,
          createdAt: created,
          updatedAt: created,
          stages: stages.map((stage, index) => ({
            id: stage.id,
            label: stage.label ?? stage.id,
            displayOrder: index,
            metadata: { isClosed: String(stage.isClosed), probability: stage.probability },
            archived: false,
            createdAt: created,
            updatedAt: created,
            writePermissions: 'CRM_PERMISSIONS_ENFORCEMENT',
          })),
        },
      ],
    });
}
