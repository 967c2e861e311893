import { loadConfig } from '../../server/config';

const withFile = (text: string) =>
  loadConfig({ TRUCE_CONFIG: 'rules.yaml' }, { readFile: () => text });

describe('attribution settings in the rules file', () => {
  it('defaults to a 7-day half-life and W-like custom weights', () => {
    const { attribution } = loadConfig({}).settings;
    expect(attribution.timeDecayHalfLifeDays).toBe(7);
    expect(attribution.custom.positions).toEqual({
      firstTouch: 0.3,
      leadCreation: 0.3,
      opportunityCreation: 0.3,
      closedWon: 0,
      other: 0.1,
    });
    expect(attribution.custom.kinds).toEqual({});
  });

  it('reads a half-life and custom weights, filling positions left out', () => {
    const { attribution } = withFile(
      'attribution:\n  timeDecayHalfLifeDays: 14\n  custom:\n    positions: { closedWon: 0.5 }\n    kinds: { form_submission: 2 }\n',
    ).settings;
    expect(attribution.timeDecayHalfLifeDays).toBe(14);
    expect(attribution.custom.positions.closedWon).toBe(0.5);
    expect(attribution.custom.positions.firstTouch).toBe(0.3);
    expect(attribution.custom.kinds).toEqual({ form_submission: 2 });
  });

  it('refuses negative weights, a zero half-life and unknown keys, naming each', () => {
    expect(() =>
      withFile(
        'attribution:\n  timeDecayHalfLifeDays: 0\n  custom:\n    positions: { other: -1 }\n    kinds: { ad_click: -2 }\n  extra: 1\n',
      ),
    ).toThrow(
      /attribution\.timeDecayHalfLifeDays[\s\S]*attribution\.custom\.positions\.other: must not be negative[\s\S]*attribution\.custom\.kinds\.ad_click/,
    );
  });
});
