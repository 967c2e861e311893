import type { TouchKind } from './touch';

/**
 * Maps the raw source fields of a touch to a channel with an ordered list of rules: the first rule whose
 * conditions all hold wins, and its name is stored on the touch so anyone can see why a touch landed in a
 * channel (and re-classify when the rules change). Pure: the rules come from the config file.
 */

/** Conditions of one rule; every condition given must hold, any value of a list may match. */
export interface ChannelRuleConditions {
  readonly kind?: readonly TouchKind[];
  /** HubSpot source values (`hs_analytics_source`, `hs_latest_source`), e.g. `PAID_SEARCH`. */
  readonly hubspotSource?: readonly string[];
  readonly sourceData1?: readonly string[];
  readonly utmSource?: readonly string[];
  readonly utmMedium?: readonly string[];
  readonly utmCampaign?: readonly string[];
  /** A domain matches itself and its subdomains (`google.com` matches `www.google.com`). */
  readonly referrerDomain?: readonly string[];
  /** Query parameters that must be present on the landing URL, e.g. click ids like `gclid`. */
  readonly urlParam?: readonly string[];
}

export interface ChannelRule {
  readonly name: string;
  readonly channel: string;
  /** Patterns are case-insensitive; `*` matches any run of characters. Empty `when` matches every touch. */
  readonly when: ChannelRuleConditions;
}

export interface ChannelRules {
  readonly rules: readonly ChannelRule[];
  /** Channel of a touch no rule matched; the matched rule is then reported as `fallback`. */
  readonly fallbackChannel: string;
}

/** The raw fields of a touch; any may be missing. */
export interface RawSourceFields {
  readonly kind?: TouchKind;
  readonly hubspotSource?: string | null;
  readonly sourceData1?: string | null;
  readonly sourceData2?: string | null;
  /** Landing page URL; its utm_* parameters are read unless `utm` gives them. */
  readonly url?: string | null;
  /** Referrer URL or bare domain. */
  readonly referrer?: string | null;
  readonly utm?: { readonly source?: string; readonly medium?: string; readonly campaign?: string };
  /** A channel the caller already knows (offline API); wins over every rule. */
  readonly channel?: string | null;
}

export interface Classification {
  readonly channel: string;
  readonly matchedRule: string;
  /** UTM values actually used, after URL parsing; handy as the campaign of a session touch. */
  readonly utm: { readonly source?: string; readonly medium?: string; readonly campaign?: string };
}

export const EXPLICIT_RULE = 'explicit';
export const FALLBACK_RULE = 'fallback';

const SOCIAL_SOURCES = [
  'facebook',
  'fb',
  'instagram',
  'ig',
  'linkedin',
  'twitter',
  'x',
  'tiktok',
  'reddit',
  'pinterest',
  'youtube',
  'meta',
];
const PAID_MEDIA = ['cpc', 'ppc', 'paid', 'paid*', 'cpm', 'cpv', 'sem'];

/** Explicit tagging (UTM, click ids) first, then what the touch is, then HubSpot's own source, then referrers. */
export const DEFAULT_CHANNEL_RULES: ChannelRules = {
  fallbackChannel: 'unknown',
  rules: [
    {
      name: 'utm-paid-social',
      channel: 'paid_social',
      when: { utmSource: SOCIAL_SOURCES, utmMedium: [...PAID_MEDIA, '*social*paid*', 'ads'] },
    },
    {
      name: 'utm-paid-search',
      channel: 'paid_search',
      when: { utmMedium: ['cpc', 'ppc', 'sem', 'paid*search', 'paid_search', 'paidsearch'] },
    },
    {
      name: 'click-id-paid-search',
      channel: 'paid_search',
      when: { urlParam: ['gclid', 'msclkid'] },
    },
    {
      name: 'click-id-paid-social',
      channel: 'paid_social',
      when: { urlParam: ['li_fat_id', 'ttclid'] },
    },
    { name: 'utm-display', channel: 'display', when: { utmMedium: ['display', 'banner', 'cpm'] } },
    {
      name: 'utm-email',
      channel: 'email',
      when: { utmMedium: ['email', 'e-mail', 'e_mail', 'newsletter'] },
    },
    {
      name: 'utm-social',
      channel: 'organic_social',
      when: { utmMedium: ['social', 'social-media', 'social_media', 'organic*social', 'sm'] },
    },
    { name: 'utm-social-source', channel: 'organic_social', when: { utmSource: SOCIAL_SOURCES } },
    { name: 'utm-affiliate', channel: 'affiliate', when: { utmMedium: ['affiliate*'] } },
    { name: 'utm-partner', channel: 'partner', when: { utmMedium: ['partner*'] } },
    { name: 'utm-event', channel: 'events', when: { utmMedium: ['event*', 'webinar*'] } },
    { name: 'utm-referral', channel: 'referral', when: { utmMedium: ['referral'] } },
    { name: 'utm-other', channel: 'other_campaigns', when: { utmMedium: ['*'] } },
    { name: 'utm-other-source', channel: 'other_campaigns', when: { utmSource: ['*'] } },
    { name: 'kind-email-click', channel: 'email', when: { kind: ['email_click'] } },
    { name: 'kind-event', channel: 'events', when: { kind: ['event_attendance'] } },
    { name: 'kind-sales-activity', channel: 'sales', when: { kind: ['sales_activity'] } },
    {
      name: 'hubspot-organic-search',
      channel: 'organic_search',
      when: { hubspotSource: ['ORGANIC_SEARCH'] },
    },
    {
      name: 'hubspot-paid-search',
      channel: 'paid_search',
      when: { hubspotSource: ['PAID_SEARCH'] },
    },
    { name: 'hubspot-email', channel: 'email', when: { hubspotSource: ['EMAIL_MARKETING'] } },
    {
      name: 'hubspot-social',
      channel: 'organic_social',
      when: { hubspotSource: ['SOCIAL_MEDIA'] },
    },
    {
      name: 'hubspot-paid-social',
      channel: 'paid_social',
      when: { hubspotSource: ['PAID_SOCIAL'] },
    },
    {
      name: 'hubspot-referrals',
      channel: 'referral',
      when: { hubspotSource: ['REFERRALS', 'AI_REFERRALS'] },
    },
    {
      name: 'hubspot-other-campaigns',
      channel: 'other_campaigns',
      when: { hubspotSource: ['OTHER_CAMPAIGNS'] },
    },
    { name: 'hubspot-direct', channel: 'direct', when: { hubspotSource: ['DIRECT_TRAFFIC'] } },
    { name: 'hubspot-offline', channel: 'offline', when: { hubspotSource: ['OFFLINE'] } },
    {
      name: 'referrer-search',
      channel: 'organic_search',
      when: {
        referrerDomain: [
          'google.*',
          'bing.com',
          'duckduckgo.com',
          'yahoo.*',
          'baidu.com',
          'yandex.*',
          'ecosia.org',
          'search.brave.com',
        ],
      },
    },
    {
      name: 'referrer-social',
      channel: 'organic_social',
      when: {
        referrerDomain: [
          'facebook.com',
          'instagram.com',
          'linkedin.com',
          'lnkd.in',
          't.co',
          'twitter.com',
          'x.com',
          'reddit.com',
          'youtube.com',
          'tiktok.com',
          'pinterest.*',
        ],
      },
    },
    { name: 'referrer-other', channel: 'referral', when: { referrerDomain: ['*'] } },
    { name: 'kind-offline', channel: 'offline', when: { kind: ['offline'] } },
    { name: 'kind-ad-click', channel: 'paid_other', when: { kind: ['ad_click'] } },
  ],
};

interface PreparedSource {
  readonly kind: string | undefined;
  readonly hubspotSource: string | undefined;
  readonly sourceData1: string | undefined;
  readonly utm: Classification['utm'];
  readonly referrerDomain: string | undefined;
  readonly urlParams: ReadonlySet<string>;
}

export function classifyChannel(raw: RawSourceFields, rules: ChannelRules): Classification {
  const prepared = prepare(raw);
  const explicit = clean(raw.channel);
  if (explicit) return { channel: explicit, matchedRule: EXPLICIT_RULE, utm: prepared.utm };
  for (const rule of rules.rules) {
    if (ruleMatches(rule.when, prepared)) {
      return { channel: rule.channel, matchedRule: rule.name, utm: prepared.utm };
    }
  }
  return { channel: rules.fallbackChannel, matchedRule: FALLBACK_RULE, utm: prepared.utm };
}

/**
 * Builds the effective rule list from the config section: `rules` replaces the defaults, `extraRules` are
 * tried before whichever list applies (so an admin can add one mapping without copying the defaults).
 */
export function effectiveChannelRules(config: {
  readonly rules?: readonly ChannelRule[] | undefined;
  readonly extraRules?: readonly ChannelRule[] | undefined;
  readonly fallbackChannel?: string | undefined;
}): ChannelRules {
  const base = config.rules ?? DEFAULT_CHANNEL_RULES.rules;
  return {
    rules: [...(config.extraRules ?? []), ...base],
    fallbackChannel: config.fallbackChannel ?? DEFAULT_CHANNEL_RULES.fallbackChannel,
  };
}

function ruleMatches(when: ChannelRuleConditions, source: PreparedSource): boolean {
  return (
    anyMatches(when.kind, source.kind) &&
    anyMatches(when.hubspotSource, source.hubspotSource) &&
    anyMatches(when.sourceData1, source.sourceData1) &&
    anyMatches(when.utmSource, source.utm.source) &&
    anyMatches(when.utmMedium, source.utm.medium) &&
    anyMatches(when.utmCampaign, source.utm.campaign) &&
    domainMatches(when.referrerDomain, source.referrerDomain) &&
    (when.urlParam === undefined ||
      when.urlParam.some((name) => source.urlParams.has(name.toLowerCase())))
  );
}

function anyMatches(patterns: readonly string[] | undefined, value: string | undefined): boolean {
  if (patterns === undefined) return true;
  if (value === undefined) return false;
  return patterns.some((pattern) => globMatches(pattern, value));
}

function domainMatches(
  patterns: readonly string[] | undefined,
  domain: string | undefined,
): boolean {
  if (patterns === undefined) return true;
  if (domain === undefined) return false;
  const labels = domain.split('.');
  // `www.google.co.uk` is tried as itself, `google.co.uk`, `co.uk`: a pattern names a site and its subdomains.
  const candidates = labels.slice(0, -1).map((_, index) => labels.slice(index).join('.'));
  return patterns.some((pattern) =>
    candidates.some((candidate) => globMatches(pattern, candidate)),
  );
}

const globCache = new Map<string, RegExp>();

function globMatches(pattern: string, value: string): boolean {
  let regex = globCache.get(pattern);
  if (!regex) {
    const source = pattern
      .toLowerCase()
      .split('*')
      .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
      .join('.*');
    regex = new RegExp(`^${source}$`, 's');
    globCache.set(pattern, regex);
  }
  return regex.test(value.toLowerCase());
}

function prepare(raw: RawSourceFields): PreparedSource {
  const url = parseUrl(raw.url);
  const fromUrl = {
    source: clean(url?.searchParams.get('utm_source')),
    medium: clean(url?.searchParams.get('utm_medium')),
    campaign: clean(url?.searchParams.get('utm_campaign')),
  };
  // Explicit UTM fields win per parameter; the URL fills the gaps.
  const utm = {
    source: clean(raw.utm?.source) ?? fromUrl.source,
    medium: clean(raw.utm?.medium) ?? fromUrl.medium,
    campaign: clean(raw.utm?.campaign) ?? fromUrl.campaign,
  };
  const urlParams = new Set<string>();
  url?.searchParams.forEach((value, name) => {
    if (value.trim() !== '') urlParams.add(name.toLowerCase());
  });
  return {
    kind: raw.kind,
    hubspotSource: clean(raw.hubspotSource),
    sourceData1: clean(raw.sourceData1),
    utm: withoutUndefined(utm),
    referrerDomain: referrerDomainOf(raw.referrer),
    urlParams,
  };
}

/** The host of a referrer URL or bare domain, lower case, without `www.` noise or a port. */
export function referrerDomainOf(referrer: string | null | undefined): string | undefined {
  const value = clean(referrer);
  if (!value) return undefined;
  const url = parseUrl(/^[a-z][a-z0-9+.-]*:\/\//i.test(value) ? value : `https://${value}`);
  const host = url?.hostname.toLowerCase().replace(/\.$/, '');
  if (!host || !host.includes('.')) return undefined;
  return host;
}

function parseUrl(value: string | null | undefined): URL | undefined {
  const text = clean(value);
  if (!text) return undefined;
  try {
    return new URL(text);
  } catch {
    try {
      // HubSpot sometimes stores a landing page without its scheme.
      return new URL(`https://${text}`);
    } catch {
      return undefined;
    }
  }
}

function clean(value: string | null | undefined): string | undefined {
  if (value === null || value === undefined) return undefined;
  const trimmed = value.trim();
  return trimmed === '' ? undefined : trimmed;
}

function withoutUndefined<T extends Record<string, string | undefined>>(value: T): T {
  const result: Record<string, string> = {};
  for (const [key, entry] of Object.entries(value)) if (entry !== undefined) result[key] = entry;
  return result as T;
}
