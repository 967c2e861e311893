import { handoffSettingsSchema } from '../../src/handoff/handoff-settings';
import { DAY_MS, decayFactor, gradeFor, scoreByRules } from '../../src/handoff/score-rules';

const NOW = Date.parse('2026-11-20T12:00:00Z');
const daysAgo = (days: number) => new Date(NOW - days * DAY_MS).toISOString();

const scoring = handoffSettingsSchema.parse({
  scoring: {
    groups: [
      { id: 'fit', label: 'Fit', max: 50, min: -20 },
      { id: 'engagement', label: 'Engagement', max: 30 },
    ],
    fit: [
      {
        id: 'buyer-role',
        label: 'Decision maker',
        property: 'jobtitle',
        when: { op: 'in', values: ['CEO', 'VP Sales'] },
        points: 30,
      },
      {
        id: 'big-company',
        label: '200+ employees',
        property: 'numberofemployees',
        when: { op: 'range', min: 200 },
        points: 25,
      },
      {
        id: 'small-company',
        label: 'under 10 employees',
        property: 'numberofemployees',
        when: { op: 'range', max: 10 },
        points: -10,
      },
      {
        id: 'student',
        label: 'Student',
        property: 'occupation',
        when: { op: 'in', values: ['Student'] },
        points: -30,
      },
      {
        id: 'free-mail',
        label: 'Free mail address',
        property: 'email',
        when: { op: 'contains', value: '@gmail.' },
        points: -5,
      },
      {
        id: 'no-country',
        label: 'Country not given',
        property: 'country',
        when: { op: 'unknown' },
        points: -2,
      },
    ],
    engagement: [
      {
        kind: 'count',
        id: 'conversions',
        label: 'Form conversions',
        property: 'num_conversion_events',
        pointsPerUnit: 4,
        maxPoints: 12,
      },
      {
        kind: 'recency',
        id: 'recent-visit',
        label: 'Visited recently',
        property: 'hs_analytics_last_visit_timestamp',
        points: 20,
        decay: { everyDays: 7, percent: 50 },
        withinDays: 60,
      },
      {
        kind: 'events',
        id: 'form-history',
        label: 'Form submissions',
        property: 'recent_conversion_event_name',
        pointsPerEvent: 5,
        decay: { everyDays: 30, percent: 50 },
      },
    ],
    grades: [
      { grade: 'A', min: 60 },
      { grade: 'B', min: 30 },
    ],
    otherwiseGrade: 'C',
  },
}).scoring;

describe('scoreByRules: fit rules and group caps', () => {
  it.each([
    ['nothing known: only "country unknown"', {}, -2, 'C', ['no-country']],
    ['"Select" counts as not answered', { country: 'Select' }, -2, 'C', ['no-country']],
    [
      'CEO of a big company is capped at the fit maximum',
      { jobtitle: 'ceo', numberofemployees: '500', country: 'DE' },
      50,
      'B',
      ['buyer-role', 'big-company', 'cap:fit'],
    ],
    [
      'range lower bound is inclusive',
      { numberofemployees: '200', country: 'DE' },
      25,
      'C',
      ['big-company'],
    ],
    ['range upper bound is exclusive', { numberofemployees: '10', country: 'DE' }, 0, 'C', []],
    [
      'negative rules add up, floored at the group minimum',
      { occupation: 'student', numberofemployees: '3', email: 'x@gmail.com', country: 'DE' },
      -20,
      'C',
      ['small-company', 'student', 'free-mail', 'cap:fit'],
    ],
    [
      'non-numeric value never matches a range',
      { numberofemployees: 'lots', country: 'DE' },
      0,
      'C',
      [],
    ],
  ])('%s', (_label, properties, score, grade, ruleIds) => {
    const result = scoreByRules({ properties }, scoring, NOW);
    expect(result.score).toBe(score);
    expect(result.grade).toBe(grade);
    expect(result.reasons.map((r) => r.ruleId)).toEqual(ruleIds);
    expect(result.reasons.reduce((sum, r) => sum + r.points, 0)).toBeCloseTo(result.score, 10);
  });

  it('lists the value each rule saw and what the cap took away', () => {
    const result = scoreByRules(
      { properties: { jobtitle: 'VP Sales', numberofemployees: '1,200', country: 'FR' } },
      scoring,
      NOW,
    );
    expect(result.reasons).toEqual([
      {
        ruleId: 'buyer-role',
        label: 'Decision maker',
        group: 'fit',
        points: 30,
        seen: 'VP Sales',
        kind: 'fit',
      },
      {
        ruleId: 'big-company',
        label: '200+ employees',
        group: 'fit',
        points: 25,
        seen: '1,200',
        kind: 'fit',
      },
      {
        ruleId: 'cap:fit',
        label: 'Fit capped at 50',
        group: 'fit',
        points: -5,
        seen: '55',
        kind: 'cap',
      },
    ]);
    expect(result.groups).toEqual([
      { id: 'fit', label: 'Fit', raw: 55, points: 50 },
      { id: 'engagement', label: 'Engagement', raw: 0, points: 0 },
    ]);
  });
});

describe('scoreByRules: engagement, recency and decay', () => {
  it.each([
    ['visit today keeps full points', 0, 20],
    ['6 days ago is still the first period', 6.9, 20],
    ['7 days ago loses half', 7, 10],
    ['15 days ago: two periods', 15, 5],
    ['59 days: eight periods', 59, 20 / 256],
    ['61 days is outside the window', 61, 0],
  ])('%s', (_label, age, points) => {
    const result = scoreByRules(
      {
        properties: {
          country: 'DE',
          hs_analytics_last_visit_timestamp: String(NOW - age * DAY_MS),
        },
      },
      scoring,
      NOW,
    );
    const reason = result.reasons.find((r) => r.ruleId === 'recent-visit');
    expect(reason?.points ?? 0).toBeCloseTo(Math.round(points * 100) / 100, 10);
  });

  it('prefers the newest history entry over the current value for recency', () => {
    const result = scoreByRules(
      {
        properties: { country: 'DE', hs_analytics_last_visit_timestamp: daysAgo(40) },
        propertiesWithHistory: {
          hs_analytics_last_visit_timestamp: [
            { value: daysAgo(40), timestamp: daysAgo(40) },
            { value: daysAgo(1), timestamp: daysAgo(1) },
          ],
        },
      },
      scoring,
      NOW,
    );
    expect(result.reasons.find((r) => r.ruleId === 'recent-visit')).toMatchObject({
      points: 20,
      seen: daysAgo(1),
    });
  });

  it('counts every history event with its own decay', () => {
    const result = scoreByRules(
      {
        properties: { country: 'DE' },
        propertiesWithHistory: {
          recent_conversion_event_name: [
            { value: 'Pricing form', timestamp: Date.parse(daysAgo(2)) },
            { value: 'Webinar', timestamp: daysAgo(31) },
            { value: 'Ebook', timestamp: daysAgo(65) },
            { value: '', timestamp: daysAgo(3) },
            { value: 'Future', timestamp: new Date(NOW + DAY_MS).toISOString() },
          ],
        },
      },
      scoring,
      NOW,
    );
    expect(result.reasons.find((r) => r.ruleId === 'form-history')).toEqual({
      ruleId: 'form-history',
      label: 'Form submissions',
      group: 'engagement',
      points: 5 + 2.5 + 1.25,
      seen: `3 event(s), newest ${daysAgo(2)}`,
      kind: 'engagement',
    });
  });

  it('caps a count rule at its maximum and the group at its cap', () => {
    const result = scoreByRules(
      {
        properties: {
          country: 'DE',
          num_conversion_events: '9',
          hs_analytics_last_visit_timestamp: daysAgo(0),
        },
        propertiesWithHistory: {
          recent_conversion_event_name: [{ value: 'Demo', timestamp: daysAgo(0) }],
        },
      },
      scoring,
      NOW,
    );
    expect(result.reasons.map((r) => [r.ruleId, r.points])).toEqual([
      ['conversions', 12],
      ['recent-visit', 20],
      ['form-history', 5],
      ['cap:engagement', -7],
    ]);
    expect(result.score).toBe(30);
  });
});

describe('decayFactor', () => {
  it.each([
    [undefined, 100, 1],
    [{ everyDays: 30, percent: 0 }, 1000, 1],
    [{ everyDays: 30, percent: 25 }, 29.99, 1],
    [{ everyDays: 30, percent: 25 }, 30, 0.75],
    [{ everyDays: 30, percent: 25 }, 90, 0.75 ** 3],
    [{ everyDays: 30, percent: 100 }, 30, 0],
    [{ everyDays: 30, percent: 50 }, -5, 1],
  ])('%j after %d days → %d', (decay, days, factor) => {
    expect(decayFactor(days * DAY_MS, decay)).toBeCloseTo(factor, 12);
  });
});

describe('gradeFor', () => {
  it.each([
    [100, 'A'],
    [60, 'A'],
    [59.99, 'B'],
    [30, 'B'],
    [29.99, 'C'],
    [-50, 'C'],
  ])('score %d → %s', (score, grade) => {
    expect(gradeFor(score, scoring)).toBe(grade);
  });
});
