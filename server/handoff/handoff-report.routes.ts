import { stringify } from 'csv-stringify/sync';
import { Router } from 'express';
import { DateTime } from 'luxon';
import { z } from 'zod';

import {
  type HandoffReportRecord,
  type HandoffReportRow,
  handoffReportRows,
  REPORT_GROUPINGS,
  REPORT_PERIODS,
} from '../../src/handoff/handoff-report';
import type { Config } from '../config';
import type { DatabaseHandle } from '../db/database';
import { type PortalLocals, requireApiKey } from '../http/api-key-auth';
import { AppError } from '../http/app-error';
import { type HandoffRow, handoffsForReport } from './handoff.repository';

const DAY_MS = 86_400_000;

/** A date (YYYY-MM-DD, in the SLA time zone) or an ISO date-time, to epoch ms. */
function instant(timezone: string) {
  return z.string().transform((value, ctx) => {
    const parsed = /^\d{4}-\d{2}-\d{2}$/.test(value)
      ? DateTime.fromISO(value, { zone: timezone })
      : DateTime.fromISO(value, { setZone: true });
    if (!parsed.isValid) {
      ctx.addIssue({ code: 'custom', message: 'must be a date YYYY-MM-DD or an ISO date-time' });
      return z.NEVER;
    }
    return parsed.toMillis();
  });
}

/**
 * `GET /api/v1/reports/handoffs`: the handoff report rows (src/handoff/handoff-report.ts) of the key's
 * portal, as JSON or CSV. `from` is inclusive and `to` exclusive, on when the contact became an MQL; the
 * default is the last 90 days. CSV cells that a spreadsheet would run as a formula are quoted with `'`.
 */
export function handoffReportRoutes(
  config: Config,
  deps: { database: DatabaseHandle; now: () => number },
): Router {
  const router = Router();
  const settings = config.settings.handoff;
  const timezone = settings.sla.timezone;
  const querySchema = z.object({
    format: z.enum(['json', 'csv']).default('json'),
    from: instant(timezone).optional(),
    to: instant(timezone).optional(),
    by: z.enum(REPORT_GROUPINGS).default('source'),
    period: z.enum(REPORT_PERIODS).default('month'),
  });

  router.get(
    '/api/v1/reports/handoffs',
    requireApiKey({
      apiKey: config.apiKey,
      portalId: config.hubspot.portalId,
      portalKeys: config.portalApiKeys,
    }),
    async (req, res) => {
      const { portalId } = res.locals as PortalLocals;
      const query = querySchema.parse(req.query);
      const now = deps.now();
      const to = query.to ?? now;
      const from = query.from ?? to - 90 * DAY_MS;
      if (from >= to) throw AppError.badRequest('from must be before to', 'invalid_request');
      const episodes = await handoffsForReport(deps.database.db, portalId, { from, to });
      const rows = handoffReportRows(episodes.map(reportRecord), {
        period: query.period,
        by: query.by,
        timezone,
        now,
      });
      if (query.format === 'csv') {
        const reasons = settings.decisions.reasonCodes.map((reason) => reason.code);
        res
          .type('text/csv; charset=utf-8')
          .setHeader('content-disposition', 'attachment; filename="truce-handoffs.csv"')
          .send(handoffReportCsv(rows, query.by, reasons));
        return;
      }
      res.json({
        portalId,
        from,
        to,
        period: query.period,
        by: query.by,
        timezone,
        rows,
      });
    },
  );
  return router;
}

export function reportRecord(row: HandoffRow): HandoffReportRecord {
  const at = (value: number | null) => (value === null ? null : Number(value));
  return {
    mqlAt: Number(row.trigger_at),
    source: row.source,
    campaign: row.campaign,
    owner: row.owner_id,
    assignedAt: at(row.assigned_at),
    dueAt: at(row.sla_due_at),
    firstTouchAt: at(row.first_touch_at),
    acceptedAt: row.decision === 'accepted' ? at(row.decided_at) : null,
    rejectedAt: row.decision === 'rejected' ? at(row.decided_at) : null,
    rejectReason: row.decision === 'rejected' ? row.reason_code : null,
    breachedAt: at(row.breached_at),
    sqlAt: at(row.sql_at),
  };
}

export function handoffReportCsv(
  rows: readonly HandoffReportRow[],
  by: string,
  reasonCodes: readonly string[],
): string {
  const known = new Set(reasonCodes);
  const extra = [...new Set(rows.flatMap((row) => Object.keys(row.rejectedByReason)))].filter(
    (code) => !known.has(code),
  );
  const reasons = [...reasonCodes, ...extra.sort()];
  const header = [
    'period',
    by,
    'mqls',
    'assigned',
    'accepted',
    'rejected',
    ...reasons.map((code) => `rejected_${code}`),
    'breached',
    'converted_to_sql',
    'median_system_delay_ms',
    'p90_system_delay_ms',
    'median_rep_delay_ms',
    'p90_rep_delay_ms',
    'sla_compliance_pct',
  ];
  const records = rows.map((row) => [
    row.period,
    row.key,
    row.mqls,
    row.assigned,
    row.accepted,
    row.rejected,
    ...reasons.map((code) => row.rejectedByReason[code] ?? 0),
    row.breached,
    row.convertedToSql,
    row.medianSystemDelayMs ?? '',
    row.p90SystemDelayMs ?? '',
    row.medianRepDelayMs ?? '',
    row.p90RepDelayMs ?? '',
    row.slaCompliancePct ?? '',
  ]);
  return stringify([header, ...records].map((record) => record.map(safeCell)));
}

/** Text starting with = + - @ (or a tab or CR) would run as a formula in Excel/Sheets; numbers stay numbers. */
export function safeCell(value: string | number): string | number {
  if (typeof value !== 'string') return value;
  return /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
}
