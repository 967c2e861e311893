import { z } from 'zod';

import type { HandoffScore } from '../../src/handoff/handoff-score';

/**
 * What the episode stores as `explanation`: the whole score (every point with its reason) and the property
 * values routing looked at, so a later escalation routes on the same facts without reading HubSpot again.
 */
export interface StoredExplanation {
  readonly score: HandoffScore;
  readonly routingProperties: Record<string, string | null>;
}

const storedSchema = z.looseObject({
  score: z.looseObject({
    rules: z.looseObject({
      reasons: z.array(z.looseObject({ label: z.string(), points: z.number() })),
    }),
    learned: z
      .looseObject({
        contributions: z.array(
          z.looseObject({ column: z.string(), seen: z.string(), points: z.number() }),
        ),
      })
      .optional(),
    learnedWeight: z.number(),
  }),
  routingProperties: z.record(z.string(), z.string().nullable()),
});

export function parseExplanation(json: string | null): z.infer<typeof storedSchema> | undefined {
  if (json === null) return undefined;
  const parsed = storedSchema.safeParse(JSON.parse(json));
  return parsed.success ? parsed.data : undefined;
}

export interface ExplainedReason {
  readonly label: string;
  readonly points: number;
  readonly source: 'rule' | 'feature';
}

/** The largest contributions by absolute points, rule and learned alike, weighted by their share. */
export function topReasons(json: string | null, limit = 5): ExplainedReason[] {
  const stored = parseExplanation(json);
  if (!stored) return [];
  const { learnedWeight } = stored.score;
  const reasons: ExplainedReason[] = [];
  if (learnedWeight < 1)
    for (const reason of stored.score.rules.reasons)
      reasons.push({ label: reason.label, points: reason.points, source: 'rule' });
  for (const contribution of stored.score.learned?.contributions ?? [])
    reasons.push({
      label: `${contribution.column}: ${contribution.seen}`,
      points: contribution.points,
      source: 'feature',
    });
  return reasons
    .filter((reason) => reason.points !== 0)
    .sort((a, b) => Math.abs(b.points) - Math.abs(a.points))
    .slice(0, limit);
}
