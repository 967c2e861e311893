import { ConfigError, loadConfig } from '../../server/config';

describe('loadConfig', () => {
  it('applies the documented defaults', () => {
    const config = loadConfig({});
    expect(config.port).toBe(3000);
    expect(config.database).toEqual({
      dialect: 'sqlite',
      filename: './data/truce.sqlite',
      synchronous: 'normal',
    });
    expect(config.hubspot.apiBase).toBe('https://api.hubapi.com');
    expect(config.settings.webhooks.allowLegacySignatures).toBe(false);
  });

  it('returns a frozen object all the way down', () => {
    const config = loadConfig({});
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.database)).toBe(true);
    expect(Object.isFrozen(config.settings.webhooks)).toBe(true);
  });

  it.each([
    ['postgres://u@127.0.0.1:5432/test', 'postgres'],
    ['postgresql://u@127.0.0.1/test', 'postgres'],
    ['file:./x.sqlite', 'sqlite'],
    ['sqlite:///tmp/x.sqlite', 'sqlite'],
    ['./relative.sqlite', 'sqlite'],
    [':memory:', 'sqlite'],
  ])('reads DATABASE_URL %s as %s', (url, dialect) => {
    expect(loadConfig({ DATABASE_URL: url }).database.dialect).toBe(dialect);
  });

  it('strips the sqlite scheme down to a file name', () => {
    expect(loadConfig({ DATABASE_URL: 'sqlite:///tmp/x.sqlite' }).database).toEqual({
      dialect: 'sqlite',
      filename: '/tmp/x.sqlite',
      synchronous: 'normal',
    });
  });

  it('reads SQLITE_SYNCHRONOUS and refuses anything but normal or full', () => {
    expect(loadConfig({ SQLITE_SYNCHRONOUS: 'full' }).database).toMatchObject({
      synchronous: 'full',
    });
    expect(() => loadConfig({ SQLITE_SYNCHRONOUS: 'off' })).toThrow(/SQLITE_SYNCHRONOUS/);
  });

  it('reports every problem at once, naming each variable', () => {
    let caught: unknown;
    try {
      loadConfig({ PORT: 'eighty', DATABASE_URL: 'mysql://x/y', HUBSPOT_API_BASE: 'not a url' });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ConfigError);
    const problems = (caught as ConfigError).problems.join('\n');
    expect(problems).toMatch(/PORT/);
    expect(problems).toMatch(/DATABASE_URL/);
    expect(problems).toMatch(/HUBSPOT_API_BASE/);
    expect((caught as ConfigError).problems).toHaveLength(3);
  });

  it.each(['-1', '65536', '3.5', 'abc'])('refuses PORT=%s', (port) => {
    expect(() => loadConfig({ PORT: port })).toThrow(/PORT/);
  });

  it('reads a YAML settings file and validates it', () => {
    const files: Record<string, string> = {
      '/etc/truce.yaml': 'webhooks:\n  allowLegacySignatures: true\n',
      '/etc/bad.yaml': 'webhooks:\n  allowLegacySignatures: "sometimes"\n',
      '/etc/typo.json': '{"webhoks": {}}',
      '/etc/broken.json': '{',
    };
    const readFile = (file: string) => {
      const text = files[file];
      if (text === undefined) throw new Error('ENOENT: no such file');
      return text;
    };
    expect(
      loadConfig({ TRUCE_CONFIG: '/etc/truce.yaml' }, { readFile }).settings.webhooks
        .allowLegacySignatures,
    ).toBe(true);
    expect(() => loadConfig({ TRUCE_CONFIG: '/etc/bad.yaml' }, { readFile })).toThrow(
      /webhooks\.allowLegacySignatures/,
    );
    expect(() => loadConfig({ TRUCE_CONFIG: '/etc/typo.json' }, { readFile })).toThrow(/webhoks/);
    expect(() => loadConfig({ TRUCE_CONFIG: '/etc/broken.json' }, { readFile })).toThrow(
      /not valid JSON/,
    );
    expect(() => loadConfig({ TRUCE_CONFIG: '/etc/missing.yaml' }, { readFile })).toThrow(
      /cannot read/,
    );
  });

  it.each([
    ['default', undefined, 30],
    ['0 keeps processed events forever', 0, 0],
    ['2 days, the shortest', 2, 2],
    ['1 day, inside HubSpot’s redelivery window', 1, /webhooks\.retentionDays: must be 0/],
    ['negative', -5, /webhooks\.retentionDays/],
  ] as const)('webhooks.retentionDays: %s', (_label, days, expected) => {
    const readFile = () =>
      days === undefined ? 'webhooks: {}\n' : `webhooks:\n  retentionDays: ${days}\n`;
    const load = () => loadConfig({ TRUCE_CONFIG: '/etc/truce.yaml' }, { readFile });
    if (typeof expected === 'number') expect(load().settings.webhooks.retentionDays).toBe(expected);
    else expect(load).toThrow(expected);
  });

  it('treats empty variables as unset', () => {
    expect(loadConfig({ PORT: '', DATABASE_URL: ' ' }).port).toBe(3000);
  });
});
