import { ConfigError, loadConfig } from '../../server/config';
import { classifyChannel, effectiveChannelRules } from '../../src/touchpoints/channel-classifier';

const withFile = (text: string) =>
  loadConfig({ TRUCE_CONFIG: '/etc/truce.yaml' }, { readFile: () => text });

describe('touchpoints settings', () => {
  it('defaults to the built-in rules and windows', () => {
    const { touchpoints } = loadConfig({}).settings;
    expect(touchpoints).toEqual({
      channels: { fallbackChannel: 'unknown' },
      alignWindowMs: 5_000,
      sessionWindowMs: 1_800_000,
    });
    expect(effectiveChannelRules(touchpoints.channels).rules.length).toBeGreaterThan(20);
  });

  it('reads extra rules from the YAML file and applies them first', () => {
    const settings = withFile(
      [
        'touchpoints:',
        '  channels:',
        '    fallbackChannel: other',
        '    extraRules:',
        '      - name: review-sites',
        '        channel: review_sites',
        '        when:',
        '          referrerDomain: [g2.com, capterra.com]',
      ].join('\n'),
    ).settings;
    const rules = effectiveChannelRules(settings.touchpoints.channels);
    expect(classifyChannel({ referrer: 'https://www.g2.com/x' }, rules)).toMatchObject({
      channel: 'review_sites',
      matchedRule: 'review-sites',
    });
    expect(classifyChannel({}, rules).channel).toBe('other');
    expect(settings.touchpoints.alignWindowMs).toBe(5_000);
  });

  it.each([
    [
      'an unknown condition',
      'touchpoints:\n  channels:\n    rules:\n      - name: a\n        channel: b\n        when: { colour: [red] }\n',
      'touchpoints.channels.rules.0.when',
    ],
    [
      'an unknown kind',
      'touchpoints:\n  channels:\n    rules:\n      - name: a\n        channel: b\n        when: { kind: [fax] }\n',
      'touchpoints.channels.rules.0.when.kind.0',
    ],
    [
      'a channel that is no slug',
      'touchpoints:\n  channels:\n    rules:\n      - name: a\n        channel: Paid Search\n',
      'touchpoints.channels.rules.0.channel',
    ],
    [
      'a duplicate rule name',
      'touchpoints:\n  channels:\n    extraRules:\n      - { name: a, channel: b }\n    rules:\n      - { name: a, channel: c }\n',
      'touchpoints.channels',
    ],
    ['a negative window', 'touchpoints:\n  alignWindowMs: -1\n', 'touchpoints.alignWindowMs'],
  ])('refuses %s, naming the key', (_label, text, key) => {
    let caught: unknown;
    try {
      withFile(text);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ConfigError);
    expect((caught as ConfigError).problems.join('\n')).toContain(`${key}:`);
  });
});
