import {
  type ContactSnapshot,
  matchesCondition,
  parseNumber,
  parseTimestamp,
  propertyHistory,
  propertyValue,
} from './contact-snapshot';
import type { Decay, EngagementRule, FitRule, ScoringSettings } from './handoff-settings';

/**
 * The rule score both teams agreed on: fit rules (property conditions) and engagement rules (activity counts
 * and recency, decayed per period), summed per group, capped per group, graded by thresholds. Every point in
 * the total appears in `reasons`, including what a cap took away, so a rep can read why a lead scored what
 * it did.
 */

export const DAY_MS = 86_400_000;

export interface ScoreReason {
  readonly ruleId: string;
  readonly label: string;
  readonly group: string;
  readonly points: number;
  /** What the rule saw: the property value, the count, or the activity time (ISO). */
  readonly seen: string | null;
  readonly kind: 'fit' | 'engagement' | 'cap';
}

export interface GroupScore {
  readonly id: string;
  readonly label: string;
  readonly raw: number;
  readonly points: number;
}

export interface RuleScore {
  readonly score: number;
  readonly grade: string;
  readonly groups: readonly GroupScore[];
  readonly reasons: readonly ScoreReason[];
}

export type RuleScoringSettings = Pick<
  ScoringSettings,
  'groups' | 'fit' | 'engagement' | 'grades' | 'otherwiseGrade'
>;

export function scoreByRules(
  contact: ContactSnapshot,
  settings: RuleScoringSettings,
  now: number,
): RuleScore {
  const reasons: ScoreReason[] = [];
  for (const rule of settings.fit) {
    const reason = applyFitRule(contact, rule);
    if (reason) reasons.push(reason);
  }
  for (const rule of settings.engagement) {
    const reason = applyEngagementRule(contact, rule, now);
    if (reason) reasons.push(reason);
  }

  const groups: GroupScore[] = [];
  const groupIds = new Set([
    ...settings.groups.map((group) => group.id),
    ...reasons.map((r) => r.group),
  ]);
  for (const groupId of groupIds) {
    const group = settings.groups.find((candidate) => candidate.id === groupId);
    const raw = round2(sum(reasons.filter((r) => r.group === groupId).map((r) => r.points)));
    const points = clamp(raw, group?.min, group?.max);
    if (points !== raw) {
      const bound = points < raw ? `capped at ${group?.max}` : `floored at ${group?.min}`;
      reasons.push({
        ruleId: `cap:${groupId}`,
        label: `${group?.label ?? groupId} ${bound}`,
        group: groupId,
        points: round2(points - raw),
        seen: String(raw),
        kind: 'cap',
      });
    }
    groups.push({ id: groupId, label: group?.label ?? groupId, raw, points });
  }

  const score = round2(sum(groups.map((group) => group.points)));
  return { score, grade: gradeFor(score, settings), groups, reasons };
}

/** The first grade whose threshold the score reaches (grades are listed highest first). */
export function gradeFor(
  score: number,
  settings: Pick<ScoringSettings, 'grades' | 'otherwiseGrade'>,
): string {
  return settings.grades.find((grade) => score >= grade.min)?.grade ?? settings.otherwiseGrade;
}

/** Share of the points left after `ageMs`: (1 − percent) per full period, like HubSpot's score decay. */
export function decayFactor(ageMs: number, decay: Decay | undefined): number {
  if (!decay || decay.percent === 0) return 1;
  const periods = Math.floor(Math.max(0, ageMs) / (decay.everyDays * DAY_MS));
  return Math.pow(1 - decay.percent / 100, periods);
}

function applyFitRule(contact: ContactSnapshot, rule: FitRule): ScoreReason | undefined {
  const value = propertyValue(contact, rule.property);
  if (!matchesCondition(value, rule.when)) return undefined;
  return reason(rule, 'fit', rule.points, value ?? null);
}

function applyEngagementRule(
  contact: ContactSnapshot,
  rule: EngagementRule,
  now: number,
): ScoreReason | undefined {
  switch (rule.kind) {
    case 'count': {
      const count = parseNumber(propertyValue(contact, rule.property));
      if (count === undefined || count === 0) return undefined;
      return reason(
        rule,
        'engagement',
        cap(count * rule.pointsPerUnit, rule.maxPoints),
        String(count),
      );
    }
    case 'events': {
      const events = propertyHistory(contact, rule.property).filter(
        (entry) =>
          entry.value !== undefined &&
          entry.at <= now &&
          (rule.withinDays === undefined || now - entry.at <= rule.withinDays * DAY_MS),
      );
      if (events.length === 0) return undefined;
      const points = sum(
        events.map((e) => rule.pointsPerEvent * decayFactor(now - e.at, rule.decay)),
      );
      const seen = `${events.length} event(s), newest ${new Date(events[0]!.at).toISOString()}`;
      return reason(rule, 'engagement', cap(points, rule.maxPoints), seen);
    }
    case 'recency': {
      const at = latestActivity(contact, rule.property);
      if (at === undefined || at > now) return undefined;
      if (rule.withinDays !== undefined && now - at > rule.withinDays * DAY_MS) return undefined;
      const points = rule.points * decayFactor(now - at, rule.decay);
      return reason(rule, 'engagement', points, new Date(at).toISOString());
    }
  }
}

/** The newest history entry's time, or the property's value read as a date when no history was read. */
function latestActivity(contact: ContactSnapshot, property: string): number | undefined {
  const history = propertyHistory(contact, property).filter((entry) => entry.value !== undefined);
  if (history.length > 0) return history[0]!.at;
  return parseTimestamp(propertyValue(contact, property));
}

function reason(
  rule: FitRule | EngagementRule,
  kind: 'fit' | 'engagement',
  points: number,
  seen: string | null,
): ScoreReason | undefined {
  const rounded = round2(points);
  if (rounded === 0) return undefined;
  return { ruleId: rule.id, label: rule.label, group: rule.group, points: rounded, seen, kind };
}

function cap(points: number, maxPoints: number | undefined): number {
  if (maxPoints === undefined) return points;
  const limit = Math.abs(maxPoints);
  return Math.max(-limit, Math.min(limit, points));
}

function clamp(value: number, min: number | undefined, max: number | undefined): number {
  let result = value;
  if (max !== undefined) result = Math.min(result, max);
  if (min !== undefined) result = Math.max(result, min);
  return result;
}

function sum(values: readonly number[]): number {
  return values.reduce((total, value) => total + value, 0);
}

export function round2(value: number): number {
  return Math.round(value * 100) / 100 + 0;
}
