import type { Scenario } from '../../sandbox/scenario-types';
import { type HandoffReportRow, percentile } from '../../src/handoff/handoff-report';
import { formatDuration, formatPercent, formatTable } from './demo-table';

/** One line of the scoreboard: the service's report for a key, with the scenario's truth where it has one. */
export interface ScoreboardLine {
  readonly key: string;
  readonly label: string;
  readonly mqls: number;
  readonly accepted: number;
  readonly rejected: number;
  readonly rejectedByReason: Readonly<Record<string, number>>;
  readonly breached: number;
  readonly slaCompliancePct: number | null;
  readonly medianRepDelayMs: number | null;
  readonly truth?: OwnerTruth;
}

export interface OwnerTruth {
  readonly mqls: number;
  readonly accepted: number;
  readonly rejected: number;
  readonly ignored: number;
  readonly medianFirstTouchMs: number | null;
}

export interface Scoreboard {
  readonly from: number;
  readonly to: number;
  readonly byOwner: readonly ScoreboardLine[];
  readonly byCampaign: readonly ScoreboardLine[];
  readonly totals: { readonly mqls: number; readonly accepted: number; readonly rejected: number };
}

/**
 * Merges the report's rows of one key across periods. Counts add up; a median cannot be merged, so a key
 * spread over several periods shows none.
 */
function linesByKey(rows: readonly HandoffReportRow[]): Map<string, ScoreboardLine> {
  const lines = new Map<string, ScoreboardLine>();
  for (const row of rows) {
    const seen = lines.get(row.key);
    if (!seen) {
      lines.set(row.key, {
        key: row.key,
        label: row.key,
        mqls: row.mqls,
        accepted: row.accepted,
        rejected: row.rejected,
        rejectedByReason: row.rejectedByReason,
        breached: row.breached,
        slaCompliancePct: row.slaCompliancePct,
        medianRepDelayMs: row.medianRepDelayMs,
      });
      continue;
    }
    const reasons: Record<string, number> = { ...seen.rejectedByReason };
    for (const [code, n] of Object.entries(row.rejectedByReason))
      reasons[code] = (reasons[code] ?? 0) + n;
    lines.set(row.key, {
      ...seen,
      mqls: seen.mqls + row.mqls,
      accepted: seen.accepted + row.accepted,
      rejected: seen.rejected + row.rejected,
      rejectedByReason: reasons,
      breached: seen.breached + row.breached,
      slaCompliancePct: null,
      medianRepDelayMs: null,
    });
  }
  return lines;
}

/** What the scenario's reps really did with the MQLs of the window, per owner id. */
export function ownerTruth(scenario: Scenario, from: number, to: number): Map<string, OwnerTruth> {
  const byOwner = new Map<string, { truth: OwnerTruth; touches: number[] }>();
  for (const contact of scenario.truth.contacts) {
    if (contact.mqlAt === undefined || contact.ownerId === undefined) continue;
    if (contact.mqlAt < from || contact.mqlAt >= to) continue;
    const entry = byOwner.get(contact.ownerId) ?? {
      truth: { mqls: 0, accepted: 0, rejected: 0, ignored: 0, medianFirstTouchMs: null },
      touches: [],
    };
    const won = contact.outcome === 'won' || contact.outcome === 'lost';
    entry.truth = {
      ...entry.truth,
      mqls: entry.truth.mqls + 1,
      accepted: entry.truth.accepted + (won ? 1 : 0),
      rejected: entry.truth.rejected + (contact.outcome === 'rejected' ? 1 : 0),
      ignored: entry.truth.ignored + (contact.outcome === 'ignored' ? 1 : 0),
    };
    if (contact.firstTouchMinutes !== undefined)
      entry.touches.push(contact.firstTouchMinutes * 60_000);
    byOwner.set(contact.ownerId, entry);
  }
  return new Map(
    [...byOwner].map(([id, { truth, touches }]) => [
      id,
      { ...truth, medianFirstTouchMs: percentile(touches, 0.5) },
    ]),
  );
}

export function buildScoreboard(
  scenario: Scenario,
  report: {
    readonly from: number;
    readonly to: number;
    readonly byOwner: readonly HandoffReportRow[];
    readonly byCampaign: readonly HandoffReportRow[];
  },
): Scoreboard {
  const names = new Map(
    scenario.setup.owners.map((owner) => [
      owner.id,
      `${owner.firstName} ${owner.lastName} (${owner.profile.label})`,
    ]),
  );
  const truth = ownerTruth(scenario, report.from, report.to);
  const byOwner = [...linesByKey(report.byOwner).values()].map((line) => {
    const owner = truth.get(line.key);
    return {
      ...line,
      label: names.get(line.key) ?? line.key,
      ...(owner ? { truth: owner } : {}),
    };
  });
  const byCampaign = [...linesByKey(report.byCampaign).values()];
  const sum = (pick: (line: ScoreboardLine) => number) =>
    byOwner.reduce((total, line) => total + pick(line), 0);
  return {
    from: report.from,
    to: report.to,
    byOwner,
    byCampaign,
    totals: {
      mqls: sum((l) => l.mqls),
      accepted: sum((l) => l.accepted),
      rejected: sum((l) => l.rejected),
    },
  };
}

function reasons(line: ScoreboardLine): string {
  const entries = Object.entries(line.rejectedByReason).sort((a, b) => b[1] - a[1]);
  return entries.length === 0 ? '–' : entries.map(([code, n]) => `${code} ${n}`).join(', ');
}

/** Report figures with the scenario's truth beside them in parentheses. */
export function formatOwnerTable(scoreboard: Scoreboard): string {
  const rows = scoreboard.byOwner.map((line) => {
    const truth = line.truth;
    const beside = (value: number | string, real: number | string | undefined) =>
      real === undefined ? String(value) : `${value} (${real})`;
    return [
      line.label,
      beside(line.mqls, truth?.mqls),
      beside(line.accepted, truth?.accepted),
      beside(line.rejected, truth?.rejected),
      reasons(line),
      beside(line.breached, truth?.ignored),
      formatPercent(line.slaCompliancePct),
      beside(
        formatDuration(line.medianRepDelayMs),
        truth ? formatDuration(truth.medianFirstTouchMs) : undefined,
      ),
    ];
  });
  const { totals } = scoreboard;
  rows.push([
    'Total',
    String(totals.mqls),
    String(totals.accepted),
    String(totals.rejected),
    '',
    '',
    '',
    '',
  ]);
  return formatTable(
    [
      'Owner',
      'MQLs',
      'Accepted',
      'Rejected',
      'Rejected by reason',
      'Breached (never worked)',
      'SLA met',
      'Median rep delay',
    ],
    rows,
  );
}

export function formatCampaignTable(scoreboard: Scoreboard): string {
  return formatTable(
    [
      'First converting campaign',
      'MQLs',
      'Accepted',
      'Rejected',
      'Rejected by reason',
      'SLA met',
      'Median rep delay',
    ],
    scoreboard.byCampaign.map((line) => [
      line.label,
      String(line.mqls),
      String(line.accepted),
      String(line.rejected),
      reasons(line),
      formatPercent(line.slaCompliancePct),
      formatDuration(line.medianRepDelayMs),
    ]),
  );
}
