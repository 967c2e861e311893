import { readFileSync } from 'node:fs';

import type { HandoffSettings } from '../../src/handoff/handoff-settings';
import { type LearnedModel, parseLearnedModel } from '../../src/handoff/score-learned';
import { enqueueOutbox } from '../outbox/outbox.repository';
import type { Db } from './handoff.repository';
import { propertiesEnsureKey, truceContactProperties } from './handoff-properties';

/** The fitted model named in `handoff.scoring.model.file`, read once at start; a bad file stops the start. */
export function loadHandoffModel(
  settings: HandoffSettings,
  readFile: (file: string) => string = (file) => readFileSync(file, 'utf8'),
): LearnedModel | undefined {
  const file = settings.scoring.model?.file;
  if (!file) return undefined;
  try {
    return parseLearnedModel(JSON.parse(readFile(file)));
  } catch (error) {
    throw new Error(
      `handoff.scoring.model.file ${file}: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
}

/**
 * Queues the creation of Truce's contact property group and properties for a portal. The key is versioned
 * (and carries the reason codes), so every replica and restart enqueues it once per definition.
 */
export async function ensureTruceProperties(
  db: Db,
  portalId: number,
  settings: HandoffSettings,
  now: number,
): Promise<boolean> {
  return enqueueOutbox(
    db,
    {
      portalId,
      idempotencyKey: propertiesEnsureKey(settings.decisions),
      operation: 'properties.ensure',
      payload: truceContactProperties(settings.decisions),
    },
    now,
  );
}
