import {
  type ChannelRules,
  classifyChannel,
  DEFAULT_CHANNEL_RULES,
  effectiveChannelRules,
  type RawSourceFields,
  referrerDomainOf,
} from '../../src/touchpoints/channel-classifier';

const classify = (raw: RawSourceFields, rules: ChannelRules = DEFAULT_CHANNEL_RULES) =>
  classifyChannel(raw, rules);

describe('classifyChannel with the default rules', () => {
  it.each<[string, RawSourceFields, string, string]>([
    // label, raw fields, channel, rule
    [
      'HubSpot ORGANIC_SEARCH',
      { hubspotSource: 'ORGANIC_SEARCH' },
      'organic_search',
      'hubspot-organic-search',
    ],
    ['HubSpot PAID_SEARCH', { hubspotSource: 'PAID_SEARCH' }, 'paid_search', 'hubspot-paid-search'],
    ['HubSpot EMAIL_MARKETING', { hubspotSource: 'EMAIL_MARKETING' }, 'email', 'hubspot-email'],
    ['HubSpot SOCIAL_MEDIA', { hubspotSource: 'SOCIAL_MEDIA' }, 'organic_social', 'hubspot-social'],
    ['HubSpot PAID_SOCIAL', { hubspotSource: 'PAID_SOCIAL' }, 'paid_social', 'hubspot-paid-social'],
    ['HubSpot REFERRALS', { hubspotSource: 'REFERRALS' }, 'referral', 'hubspot-referrals'],
    ['HubSpot AI_REFERRALS', { hubspotSource: 'AI_REFERRALS' }, 'referral', 'hubspot-referrals'],
    [
      'HubSpot OTHER_CAMPAIGNS',
      { hubspotSource: 'OTHER_CAMPAIGNS' },
      'other_campaigns',
      'hubspot-other-campaigns',
    ],
    ['HubSpot DIRECT_TRAFFIC', { hubspotSource: 'DIRECT_TRAFFIC' }, 'direct', 'hubspot-direct'],
    ['HubSpot OFFLINE', { hubspotSource: 'OFFLINE' }, 'offline', 'hubspot-offline'],
    [
      'source values are case-insensitive',
      { hubspotSource: 'paid_search' },
      'paid_search',
      'hubspot-paid-search',
    ],
    [
      'utm_medium=cpc from the URL',
      { url: 'https://x.io/?utm_source=google&utm_medium=cpc' },
      'paid_search',
      'utm-paid-search',
    ],
    [
      'utm_medium=cpc from facebook',
      { url: 'https://x.io/?utm_source=Facebook&utm_medium=CPC' },
      'paid_social',
      'utm-paid-social',
    ],
    [
      'utm_medium=paid_social',
      { utm: { source: 'linkedin', medium: 'paid_social' } },
      'paid_social',
      'utm-paid-social',
    ],
    ['utm_medium=display', { utm: { medium: 'display' } }, 'display', 'utm-display'],
    ['utm_medium=email', { utm: { medium: 'email' } }, 'email', 'utm-email'],
    ['utm_medium=newsletter', { utm: { medium: 'newsletter' } }, 'email', 'utm-email'],
    ['utm_medium=social', { utm: { medium: 'social' } }, 'organic_social', 'utm-social'],
    [
      'utm_source=linkedin with no medium',
      { utm: { source: 'linkedin' } },
      'organic_social',
      'utm-social-source',
    ],
    ['utm_medium=affiliate', { utm: { medium: 'affiliate' } }, 'affiliate', 'utm-affiliate'],
    ['utm_medium=partner-intro', { utm: { medium: 'partner-intro' } }, 'partner', 'utm-partner'],
    ['utm_medium=webinar', { utm: { medium: 'webinar' } }, 'events', 'utm-event'],
    ['utm_medium=referral', { utm: { medium: 'referral' } }, 'referral', 'utm-referral'],
    ['an unknown utm_medium', { utm: { medium: 'qr-code' } }, 'other_campaigns', 'utm-other'],
    [
      'only an unknown utm_source',
      { utm: { source: 'podcast' } },
      'other_campaigns',
      'utm-other-source',
    ],
    [
      'gclid click id',
      { url: 'https://x.io/landing?gclid=abc' },
      'paid_search',
      'click-id-paid-search',
    ],
    [
      'an empty gclid is no click id',
      { url: 'https://x.io/landing?gclid=', hubspotSource: 'DIRECT_TRAFFIC' },
      'direct',
      'hubspot-direct',
    ],
    ['email click kind', { kind: 'email_click' }, 'email', 'kind-email-click'],
    ['event attendance kind', { kind: 'event_attendance' }, 'events', 'kind-event'],
    ['sales activity kind', { kind: 'sales_activity' }, 'sales', 'kind-sales-activity'],
    [
      'search engine referrer',
      { referrer: 'https://www.google.co.uk/search?q=truce' },
      'organic_search',
      'referrer-search',
    ],
    [
      'bing referrer as a bare domain',
      { referrer: 'bing.com' },
      'organic_search',
      'referrer-search',
    ],
    [
      'social referrer subdomain',
      { referrer: 'https://m.facebook.com/' },
      'organic_social',
      'referrer-social',
    ],
    ['other referrer', { referrer: 'https://blog.example.org/post' }, 'referral', 'referrer-other'],
    ['a referrer that is no domain', { referrer: 'localhost' }, 'unknown', 'fallback'],
    ['offline kind without a source', { kind: 'offline' }, 'offline', 'kind-offline'],
    ['ad click without details', { kind: 'ad_click' }, 'paid_other', 'kind-ad-click'],
    ['an unknown HubSpot source', { hubspotSource: 'SOMETHING_NEW' }, 'unknown', 'fallback'],
    ['nothing at all', {}, 'unknown', 'fallback'],
    [
      'an unparseable URL is ignored',
      { url: 'http://[bad', hubspotSource: 'ORGANIC_SEARCH' },
      'organic_search',
      'hubspot-organic-search',
    ],
  ])('%s', (_label, raw, channel, rule) => {
    expect(classify(raw)).toMatchObject({ channel, matchedRule: rule });
  });

  it('lets UTM tagging win over the HubSpot source and the kind', () => {
    const result = classify({
      kind: 'email_click',
      hubspotSource: 'REFERRALS',
      referrer: 'https://www.google.com',
      url: 'https://truce.example/?utm_source=google&utm_medium=cpc&utm_campaign=q3-brand',
    });
    expect(result).toEqual({
      channel: 'paid_search',
      matchedRule: 'utm-paid-search',
      utm: { source: 'google', medium: 'cpc', campaign: 'q3-brand' },
    });
  });

  it('lets explicit UTM fields override the URL per parameter', () => {
    const result = classify({
      url: 'https://x.io/?utm_source=google&utm_medium=cpc&utm_campaign=from-url',
      utm: { medium: 'email' },
    });
    expect(result.utm).toEqual({ source: 'google', medium: 'email', campaign: 'from-url' });
    expect(result.matchedRule).toBe('utm-email');
  });

  it('lets the HubSpot source win over the referrer', () => {
    expect(classify({ hubspotSource: 'PAID_SEARCH', referrer: 'google.com' }).channel).toBe(
      'paid_search',
    );
  });

  it('reads a landing page stored without its scheme', () => {
    expect(classify({ url: 'truce.example/?utm_medium=email' }).matchedRule).toBe('utm-email');
  });

  it('returns an explicit channel unchanged, naming it as such', () => {
    expect(classify({ channel: 'partner', hubspotSource: 'PAID_SEARCH' })).toMatchObject({
      channel: 'partner',
      matchedRule: 'explicit',
    });
  });
});

describe('classifyChannel with configured rules', () => {
  const rules: ChannelRules = {
    fallbackChannel: 'other',
    rules: [
      { name: 'g2', channel: 'review_sites', when: { referrerDomain: ['g2.com', 'capterra.*'] } },
      {
        name: 'brand-search',
        channel: 'brand_search',
        when: { hubspotSource: ['PAID_SEARCH'], sourceData1: ['*brand*'] },
      },
      { name: 'q3-campaigns', channel: 'q3', when: { utmCampaign: ['q3-*'] } },
      { name: 'catch-all-paid', channel: 'paid', when: { hubspotSource: ['PAID_*'] } },
    ],
  };

  it.each<[string, RawSourceFields, string, string]>([
    [
      'referrer domain list',
      { referrer: 'https://www.g2.com/products/truce' },
      'review_sites',
      'g2',
    ],
    ['glob in a domain', { referrer: 'capterra.co.uk' }, 'review_sites', 'g2'],
    [
      'every condition must hold',
      { hubspotSource: 'PAID_SEARCH', sourceData1: 'Truce Brand KW' },
      'brand_search',
      'brand-search',
    ],
    [
      'one failing condition skips the rule',
      { hubspotSource: 'PAID_SEARCH', sourceData1: 'generic' },
      'paid',
      'catch-all-paid',
    ],
    ['utm_campaign glob', { url: 'https://x.io/?utm_campaign=Q3-Launch' }, 'q3', 'q3-campaigns'],
    ['configured fallback', { hubspotSource: 'ORGANIC_SEARCH' }, 'other', 'fallback'],
  ])('%s', (_label, raw, channel, rule) => {
    expect(classifyChannel(raw, rules)).toMatchObject({ channel, matchedRule: rule });
  });

  it('tries the first matching rule only', () => {
    const overlapping: ChannelRules = {
      fallbackChannel: 'unknown',
      rules: [
        { name: 'first', channel: 'a', when: { hubspotSource: ['PAID_SEARCH'] } },
        { name: 'second', channel: 'b', when: { hubspotSource: ['PAID_SEARCH'] } },
      ],
    };
    expect(classifyChannel({ hubspotSource: 'PAID_SEARCH' }, overlapping).matchedRule).toBe(
      'first',
    );
  });

  it('puts extra rules before the defaults and keeps the defaults otherwise', () => {
    const effective = effectiveChannelRules({
      extraRules: [
        { name: 'tradeshow', channel: 'events', when: { hubspotSource: ['TRADESHOW'] } },
      ],
    });
    expect(classifyChannel({ hubspotSource: 'TRADESHOW' }, effective).matchedRule).toBe(
      'tradeshow',
    );
    expect(classifyChannel({ hubspotSource: 'PAID_SEARCH' }, effective).matchedRule).toBe(
      'hubspot-paid-search',
    );
    expect(effective.fallbackChannel).toBe('unknown');
  });

  it('replaces the defaults when rules are given', () => {
    const effective = effectiveChannelRules({ rules: [], fallbackChannel: 'misc' });
    expect(classifyChannel({ hubspotSource: 'PAID_SEARCH' }, effective)).toMatchObject({
      channel: 'misc',
      matchedRule: 'fallback',
    });
  });
});

describe('referrerDomainOf', () => {
  it.each([
    ['https://WWW.Google.com:443/search', 'www.google.com'],
    ['google.com', 'google.com'],
    ['example.org.', 'example.org'],
    ['', undefined],
    [null, undefined],
    ['not a domain', undefined],
  ])('%s → %s', (input, domain) => {
    expect(referrerDomainOf(input)).toBe(domain);
  });
});
