import { type Request, type Response, Router } from 'express';

import { ReportInputError } from '../../src/reports/report-input-error';
import { parsePeriod } from '../../src/reports/report-period';
import { effectiveChannelRules } from '../../src/touchpoints/channel-classifier';
import { touchFromOfflineInput } from '../../src/touchpoints/offline-touch';
import type { Config } from '../config';
import type { DatabaseHandle } from '../db/database';
import { type PortalLocals, requireApiKey } from '../http/api-key-auth';
import { AppError } from '../http/app-error';
import { describeZodError } from '../http/error-handler';
import { EXPORT_CONTENT_TYPES, writeReport } from '../reports/export/report-writer';
import {
  toOfflineTouchInput,
  touchpointRequestSchema,
} from '../touchpoints/touchpoint-request.schema';
import { attributionReportViews, parseReportQuery } from './attribution-report.service';
import { requestDealsOfContacts } from './attribution-worker';
import { type SpendEntry, upsertSpend } from './campaign-spend.repository';
import { attributePeriod } from './period-attribution.service';
import { type SpendRequestEntry, spendRequestSchema } from './spend-request.schema';
import { findTouchByKey, upsertTouches } from './touchpoint.repository';

export interface AttributionRouteDeps {
  readonly database: DatabaseHandle;
  readonly now: () => number;
  /** Called after a change that queued attribution work (the service wakes its worker). */
  readonly onWork?: () => void;
}

/**
 * The bearer-key API of attribution: offline touches in, campaign spend in, the attribution report out. The
 * portal always comes from the key, never from the request. Bad input is refused whole, before anything is
 * stored.
 */
export function attributionRoutes(config: Config, deps: AttributionRouteDeps): Router {
  const router = Router();
  const auth = requireApiKey({
    apiKey: config.apiKey,
    portalId: config.hubspot.portalId,
    portalKeys: config.portalApiKeys,
  });
  const rules = effectiveChannelRules(config.settings.touchpoints.channels);

  router.post('/api/v1/touchpoints', auth, async (req: Request, res: Response) => {
    const { portalId } = res.locals as PortalLocals;
    const parsed = touchpointRequestSchema.safeParse(req.body ?? {});
    if (!parsed.success)
      throw AppError.badRequest(describeZodError(parsed.error), 'invalid_touchpoint');
    const touch = touchFromOfflineInput(toOfflineTouchInput(parsed.data), rules);
    const now = deps.now();
    const stored = await deps.database.db.transaction().execute(async (trx) => {
      const changed = await upsertTouches(trx, portalId, [touch], 'offline', now);
      if (changed > 0) await requestDealsOfContacts(trx, portalId, [Number(touch.contactId)], now);
      return changed > 0;
    });
    if (stored) deps.onWork?.();
    const row = await findTouchByKey(deps.database.db, portalId, touch.idempotencyKey);
    res.status(stored ? 201 : 200).json({
      touchpoint: {
        id: String(row!.id),
        contactId: touch.contactId,
        at: touch.at,
        kind: touch.kind,
        channel: touch.channel,
        campaign: touch.campaign,
        matchedRule: touch.matchedRule,
        idempotencyKey: touch.idempotencyKey,
      },
      stored,
    });
  });

  router.post('/api/v1/spend', auth, async (req: Request, res: Response) => {
    const { portalId } = res.locals as PortalLocals;
    const parsed = spendRequestSchema.safeParse(req.body ?? {});
    if (!parsed.success) throw AppError.badRequest(describeZodError(parsed.error), 'invalid_spend');
    const entries = 'entries' in parsed.data ? parsed.data.entries : [parsed.data];
    const resolved = resolveSpendEntries(entries, config.settings.attribution.timeZone);
    await deps.database.db
      .transaction()
      .execute((trx) => upsertSpend(trx, portalId, resolved, deps.now()));
    res.status(201).json({ stored: resolved.length });
  });

  router.post('/api/v1/attribution/periods/:period', auth, async (req: Request, res: Response) => {
    const { portalId } = res.locals as PortalLocals;
    const result = await attributePeriod(deps.database.db, portalId, String(req.params.period), {
      settings: config.settings.attribution,
      now: deps.now(),
    });
    res.status(200).json(result);
  });

  router.get('/api/v1/reports/attribution', auth, async (req: Request, res: Response) => {
    const { portalId } = res.locals as PortalLocals;
    const query = parseReportQuery(req.query, config.settings.attribution);
    const views = await attributionReportViews(deps.database.db, portalId, query);
    res.status(200).type(EXPORT_CONTENT_TYPES[query.format]);
    if (query.format !== 'json') {
      res.setHeader('content-disposition', `attachment; filename="attribution.${query.format}"`);
    }
    await writeReport(query.format, views, res);
  });

  return router;
}

/** Periods to their intervals; any bad period refuses the whole request. */
export function resolveSpendEntries(
  entries: readonly SpendRequestEntry[],
  zone: string,
): SpendEntry[] {
  return entries.map((entry, index) => {
    try {
      const period = parsePeriod(entry.period, zone);
      return {
        campaign: entry.campaign,
        period: period.label,
        periodStart: period.start,
        periodEnd: period.end,
        currency: entry.currency,
        cents: entry.cents,
        source: entry.source,
      };
    } catch (error) {
      if (error instanceof ReportInputError) {
        throw AppError.badRequest(`entry ${index + 1}: ${error.message}`, 'invalid_spend');
      }
      throw error;
    }
  });
}
