import type { HandoffSettings } from '../../src/handoff/handoff-settings';
import { HANDOFF_STATUSES } from '../../src/handoff/handoff-state';
import type { LearnedModel } from '../../src/handoff/score-learned';
import type { OutboxPayload } from '../outbox/outbox-operations';

/**
 * The contact properties the handoff writes (Truce's own group) and reads (for scoring and routing). The
 * ensure payload carries a version: bump it when a definition changes, so a start enqueues the new one.
 */

export const TRUCE_PROPERTIES_VERSION = 1;
export const TRUCE_GROUP = { name: 'truce', label: 'Truce' } as const;

export const HANDOFF_SOURCE_PROPERTY = 'hs_analytics_source';
export const HANDOFF_CAMPAIGN_PROPERTY = 'hs_analytics_first_touch_converting_campaign';

export function truceContactProperties(
  decisions: HandoffSettings['decisions'],
): OutboxPayload<'properties.ensure'> {
  return {
    objectType: 'contacts',
    group: { ...TRUCE_GROUP },
    properties: [
      {
        name: 'truce_handoff_score',
        label: 'Truce handoff score',
        type: 'number',
        fieldType: 'number',
        description: 'Score of the latest MQL handoff (rules, learned model or blend)',
      },
      {
        name: 'truce_handoff_grade',
        label: 'Truce handoff grade',
        type: 'string',
        fieldType: 'text',
        description: 'Grade from the configured thresholds, e.g. A',
      },
      {
        name: 'truce_handoff_status',
        label: 'Truce handoff status',
        type: 'enumeration',
        fieldType: 'select',
        options: HANDOFF_STATUSES.map((status) => ({ label: status, value: status })),
      },
      {
        name: 'truce_sla_due',
        label: 'Truce SLA due',
        type: 'datetime',
        fieldType: 'date',
        description: 'When the first sales touch is due',
      },
      {
        name: 'truce_reject_reason',
        label: 'Truce reject reason',
        type: 'enumeration',
        fieldType: 'select',
        description: 'Why sales sent the lead back; setting it rejects the handoff',
        options: decisions.reasonCodes.map((reason) => ({
          label: reason.label,
          value: reason.code,
        })),
      },
    ],
  };
}

/** Versioned, and tied to the reason codes, so an edited list is written again and an unchanged one is not. */
export function propertiesEnsureKey(decisions: HandoffSettings['decisions']): string {
  const codes = decisions.reasonCodes.map((reason) => reason.code).join(',');
  return `properties.ensure:contacts:truce:v${TRUCE_PROPERTIES_VERSION}:${codes}`;
}

/** Every property scoring, routing and the report read, for one batch read with history. */
export function handoffReadProperties(
  settings: HandoffSettings,
  model: LearnedModel | undefined,
): { properties: string[]; propertiesWithHistory: string[] } {
  const { scoring, routing, trigger } = settings;
  const properties = new Set<string>([
    trigger.property,
    routing.ownerProperty,
    HANDOFF_SOURCE_PROPERTY,
    HANDOFF_CAMPAIGN_PROPERTY,
  ]);
  for (const rule of scoring.fit) properties.add(rule.property);
  for (const territory of routing.territories) properties.add(territory.property);
  for (const column of model?.columns ?? []) properties.add(column.column);
  const withHistory = new Set<string>();
  for (const rule of scoring.engagement) {
    properties.add(rule.property);
    if (rule.kind !== 'count') withHistory.add(rule.property);
  }
  return { properties: [...properties].sort(), propertiesWithHistory: [...withHistory].sort() };
}
