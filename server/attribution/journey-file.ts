import { z } from 'zod';

import type { Journey } from '../../src/attribution/journey';
import { InputError } from './input-error';
import { forEachLine } from './line-reader';

const instant = z
  .union([
    z.number().int().describe('epoch milliseconds'),
    z.iso.datetime({ offset: true }).describe('ISO 8601 with offset'),
  ])
  .transform((value) => (typeof value === 'number' ? value : Date.parse(value)));

const touchSchema = z.object({
  at: instant,
  channel: z.string().trim().min(1, 'must not be empty'),
  campaign: z.string().trim().min(1, 'must not be empty').optional(),
  kind: z.string().trim().min(1, 'must not be empty').optional(),
  id: z.union([z.string(), z.number()]).transform(String).optional(),
});

/** One line of a journeys file; `value` is in currency units (e.g. 1234.56). */
const journeySchema = z.object({
  id: z.union([z.string(), z.number()]).transform(String),
  converted: z.boolean(),
  value: z.number().min(0, 'must not be negative').default(0),
  touches: z.array(touchSchema).min(1, 'must hold at least one touch'),
  contactCreatedAt: instant.optional(),
  dealCreatedAt: instant.optional(),
  closedAt: instant.optional(),
});

/**
 * Streams a JSON-lines journeys file, one journey per line. Money becomes cents; the value of a journey
 * that did not convert is not revenue and counts as 0.
 */
export async function readJourneyFile(
  file: string,
  onJourney: (journey: Journey, line: number) => void,
): Promise<void> {
  let seen = false;
  await forEachLine(file, (text, line) => {
    if (text.trim() === '') return;
    seen = true;
    let json: unknown;
    try {
      json = JSON.parse(line === 1 ? text.replace(/^\uFEFF/, '') : text);
    } catch (error) {
      throw new InputError(file, line, `not valid JSON (${(error as Error).message})`);
    }
    const parsed = journeySchema.safeParse(json);
    if (!parsed.success) {
      const issue = parsed.error.issues[0] as z.core.$ZodIssue;
      const where = issue.path.length > 0 ? issue.path.join('.') : 'journey';
      throw new InputError(file, line, `${where}: ${issue.message}`);
    }
    const { value, ...journey } = parsed.data;
    onJourney({ ...journey, valueCents: journey.converted ? Math.round(value * 100) : 0 }, line);
  });
  if (!seen) throw new InputError(file, 1, 'the file holds no journey');
}
