import { loadConfig } from '../../server/config';

const withSettings = (settings: unknown) =>
  loadConfig(
    { TRUCE_CONFIG: '/etc/truce.json' },
    { readFile: () => JSON.stringify({ attribution: settings }) },
  ).settings.attribution;

describe('attribution settings for price realisation, contact roles and write-back', () => {
  it('defaults: line items read, no list-price property, equal contacts, no write-back', () => {
    const settings = withSettings({});
    expect(settings.priceRealisation).toEqual({ lineItems: true });
    expect(settings.contactRoles).toEqual({ weights: {}, defaultWeight: 1 });
    expect(settings.writeBack).toEqual({ enabled: false, model: 'w_shaped' });
  });

  it('reads role weights, a list-price property and the write-back switch', () => {
    const settings = withSettings({
      priceRealisation: { listPriceProperty: 'list_price_total' },
      contactRoles: { weights: { 'Decision maker': 2, Champion: 1.5 }, defaultWeight: 0.5 },
      writeBack: { enabled: true, model: 'last' },
    });
    expect(settings.priceRealisation.listPriceProperty).toBe('list_price_total');
    expect(settings.contactRoles.weights).toEqual({ 'Decision maker': 2, Champion: 1.5 });
    expect(settings.writeBack).toEqual({ enabled: true, model: 'last' });
  });

  it.each<[string, unknown, RegExp]>([
    [
      'a zero role weight',
      { contactRoles: { weights: { Champion: 0 } } },
      /Champion.*at least 0\.001/,
    ],
    [
      'a negative default',
      { contactRoles: { defaultWeight: -1 } },
      /defaultWeight.*at least 0\.001/,
    ],
    [
      'a property name with spaces',
      { priceRealisation: { listPriceProperty: 'List price' } },
      /listPriceProperty/,
    ],
    [
      'an unknown write-back model',
      { writeBack: { enabled: true, model: 'best' } },
      /writeBack\.model/,
    ],
    ['a typo in a section', { writeBack: { enable: true } }, /enable/],
  ])('refuses %s, naming the key', (_label, settings, message) => {
    expect(() => withSettings(settings)).toThrow(message);
  });
});
