import { readFileSync } from 'node:fs';
import path from 'node:path';

import { ConfigError, loadConfig } from '../../server/config';
import { DEFAULT_REASON_CODES } from '../../src/handoff/handoff-settings';
import { ROOT } from '../helpers/process';

function problemsOf(yaml: string): string[] {
  try {
    loadConfig({ TRUCE_CONFIG: '/etc/truce.yaml' }, { readFile: () => yaml });
  } catch (error) {
    if (error instanceof ConfigError) return [...error.problems];
    throw error;
  }
  return [];
}

describe('handoff settings in the rules file', () => {
  it('defaults every key when the section is absent', () => {
    const { handoff } = loadConfig({}).settings;
    expect(handoff.trigger).toEqual({
      property: 'lifecyclestage',
      value: 'marketingqualifiedlead',
    });
    expect(handoff.scoring.grades).toEqual([
      { grade: 'A', min: 70 },
      { grade: 'B', min: 40 },
    ]);
    expect(handoff.routing).toMatchObject({ keepExistingOwner: true, owners: [], territories: [] });
    expect(handoff.sla).toMatchObject({
      hours: 4,
      timezone: 'UTC',
      workingDays: [1, 2, 3, 4, 5],
      workingHours: { start: '09:00', end: '17:00' },
      reminderBeforeMinutes: 60,
      escalation: { action: 'manager_task' },
      firstTouch: { leadStatusProperty: 'hs_lead_status', newLeadStatus: 'NEW' },
    });
    expect(handoff.decisions.reasonCodes.map((r) => r.code)).toEqual(
      DEFAULT_REASON_CODES.map((r) => r.code),
    );
    expect(handoff.decisions).toMatchObject({
      acceptedLifecycleStage: 'salesqualifiedlead',
      rejectedLifecycleStage: 'lead',
      reasonProperty: 'truce_reject_reason',
      unqualifiedLeadStatus: 'UNQUALIFIED',
    });
  });

  it('fills defaults inside a partly written section', () => {
    const config = loadConfig(
      { TRUCE_CONFIG: '/etc/truce.yaml' },
      { readFile: () => 'handoff:\n  sla:\n    hours: 8\n  routing:\n    owners: [{ id: "7" }]\n' },
    );
    expect(config.settings.handoff.sla.hours).toBe(8);
    expect(config.settings.handoff.sla.escalation.action).toBe('manager_task');
    expect(config.settings.handoff.routing.owners).toEqual([{ id: '7', weight: 1, away: [] }]);
  });

  it('loads the example config', () => {
    const file = path.join(ROOT, 'examples/truce.config.yaml');
    const config = loadConfig(
      { TRUCE_CONFIG: file },
      { readFile: () => readFileSync(file, 'utf8') },
    );
    expect(config.settings.handoff.scoring.fit.length).toBeGreaterThan(5);
    expect(config.settings.handoff.routing.territories[0]!.owners).toEqual(['201']);
  });

  it.each([
    [
      'an unknown key',
      'handoff:\n  sla:\n    hourz: 3\n',
      /handoff\.sla: Unrecognized key: "hourz"/,
    ],
    [
      'a bad time zone',
      'handoff:\n  sla:\n    timezone: Mars/Olympus\n',
      /handoff\.sla\.timezone: must be an IANA time zone/,
    ],
    [
      'working hours backwards',
      "handoff:\n  sla:\n    workingHours: { start: '17:00', end: '09:00' }\n",
      /handoff\.sla\.workingHours: start must be before end/,
    ],
    [
      'a weekday out of range',
      'handoff:\n  sla:\n    workingDays: [1, 8]\n',
      /handoff\.sla\.workingDays\.1/,
    ],
    [
      'a rule in an unknown group',
      'handoff:\n  scoring:\n    fit: [{ id: a, label: A, group: intent, property: x, when: { op: known }, points: 1 }]\n',
      /handoff\.scoring\.fit\.0\.group: unknown group "intent"/,
    ],
    [
      'duplicate rule ids',
      'handoff:\n  scoring:\n    fit:\n      - { id: a, label: A, property: x, when: { op: known }, points: 1 }\n    engagement:\n      - { kind: count, id: a, label: B, property: y, pointsPerUnit: 1 }\n',
      /handoff\.scoring\.engagement\.0\.id: duplicate rule id/,
    ],
    [
      'a range with no bounds',
      'handoff:\n  scoring:\n    fit: [{ id: a, label: A, property: x, when: { op: range }, points: 1 }]\n',
      /handoff\.scoring\.fit\.0\.when: a range needs min or max/,
    ],
    [
      'grades out of order',
      'handoff:\n  scoring:\n    grades: [{ grade: B, min: 10 }, { grade: A, min: 50 }]\n',
      /handoff\.scoring\.grades\.1\.min: grades must be listed highest min first/,
    ],
    [
      'a blend weight above 1',
      'handoff:\n  scoring:\n    model: { file: m.json, weight: 1.5 }\n',
      /handoff\.scoring\.model\.weight/,
    ],
    [
      'a territory with an unknown owner',
      'handoff:\n  routing:\n    owners: [{ id: "1" }]\n    territories: [{ id: t, property: country, when: { op: known }, owners: ["2"] }]\n',
      /handoff\.routing\.territories\.0\.owners\.0: unknown owner "2"/,
    ],
    [
      'an away period backwards',
      "handoff:\n  routing:\n    owners: [{ id: '1', away: [{ from: '2026-12-31', to: '2026-12-01' }] }]\n",
      /handoff\.routing\.owners\.0\.away\.0: from must not be after to/,
    ],
    [
      'a zero owner weight',
      "handoff:\n  routing:\n    owners: [{ id: '1', weight: 0 }]\n",
      /handoff\.routing\.owners\.0\.weight/,
    ],
    [
      'duplicate reason codes',
      'handoff:\n  decisions:\n    reasonCodes: [{ code: x, label: X }, { code: x, label: Y }]\n',
      /handoff\.decisions\.reasonCodes\.1\.code: duplicate reason code/,
    ],
    [
      'an unknown escalation',
      'handoff:\n  sla:\n    escalation: { action: shout }\n',
      /handoff\.sla\.escalation\.action/,
    ],
  ])('names the path of %s', (_label, yaml, problem) => {
    const problems = problemsOf(yaml);
    expect(problems.join('\n')).toMatch(problem);
  });

  it('reports several problems at once', () => {
    const problems = problemsOf(
      "handoff:\n  sla:\n    hours: -1\n    timezone: Nowhere\n  routing:\n    owners: [{ id: '1' }, { id: '1' }]\n",
    );
    expect(problems).toHaveLength(3);
  });
});
