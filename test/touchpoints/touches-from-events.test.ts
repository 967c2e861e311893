import { touchpointRequestSchema } from '../../server/touchpoints/touchpoint-request.schema';
import { DEFAULT_CHANNEL_RULES } from '../../src/touchpoints/channel-classifier';
import { touchFromOfflineInput } from '../../src/touchpoints/offline-touch';
import {
  touchFromEmailClick,
  touchFromFormSubmission,
} from '../../src/touchpoints/touches-from-events';
import {
  conversionKey,
  touchesFromContactHistory,
} from '../../src/touchpoints/touches-from-history';

const rules = DEFAULT_CHANNEL_RULES;

describe('touchFromFormSubmission', () => {
  it('classifies by the page URL and takes the campaign of the form', () => {
    const touch = touchFromFormSubmission(
      {
        contactId: '501',
        formGuid: 'f-1',
        campaign: 'q3-webinar',
        submission: {
          conversionId: 'c-9',
          submittedAt: 1_783_000_000_000,
          pageUrl:
            'https://truce.example/webinar?utm_source=linkedin&utm_medium=paid_social&utm_campaign=x',
        },
      },
      rules,
    );
    expect(touch).toEqual({
      contactId: '501',
      at: 1_783_000_000_000,
      kind: 'form_submission',
      channel: 'paid_social',
      campaign: 'q3-webinar',
      rawSource: {
        formGuid: 'f-1',
        conversionId: 'c-9',
        pageUrl:
          'https://truce.example/webinar?utm_source=linkedin&utm_medium=paid_social&utm_campaign=x',
      },
      matchedRule: 'utm-paid-social',
      idempotencyKey: conversionKey('501', 1_783_000_000_000),
    });
  });

  it('falls back to the utm_campaign when the form belongs to no campaign', () => {
    const touch = touchFromFormSubmission(
      {
        contactId: '1',
        formGuid: 'f',
        submission: {
          conversionId: 'c',
          submittedAt: '1783000000000',
          pageUrl: 'https://x.io/?utm_campaign=spring',
        },
      },
      rules,
    );
    expect(touch?.campaign).toBe('spring');
    expect(touch?.channel).toBe('unknown');
  });

  it('has the same key as the conversion read from the contact history', () => {
    const at = Date.parse('2026-07-01T10:05:00.000Z');
    const fromForm = touchFromFormSubmission(
      { contactId: '501', formGuid: 'f', submission: { conversionId: 'c', submittedAt: at } },
      rules,
    );
    const fromHistory = touchesFromContactHistory(
      {
        id: '501',
        propertiesWithHistory: {
          recent_conversion_date: [
            { value: '2026-07-01T10:05:00.000Z', timestamp: '2026-07-01T10:05:00.200Z' },
          ],
        },
      },
      { rules },
    ).touches;
    expect(fromHistory.map((t) => t.idempotencyKey)).toEqual([fromForm?.idempotencyKey]);
  });

  it('refuses a submission without a readable time', () => {
    expect(
      touchFromFormSubmission(
        { contactId: '1', formGuid: 'f', submission: { conversionId: 'c', submittedAt: 'soon' } },
        rules,
      ),
    ).toBeUndefined();
  });
});

describe('touchFromEmailClick', () => {
  const click = {
    id: 'e-1',
    type: 'CLICK',
    created: 1_783_000_000_000,
    emailCampaignId: 77,
    url: 'https://truce.example/q3',
  };

  it('makes an email touch keyed by the event id', () => {
    const touch = touchFromEmailClick(
      { contactId: '5', event: click, campaign: 'q3-nurture' },
      rules,
    );
    expect(touch).toMatchObject({
      kind: 'email_click',
      channel: 'email',
      matchedRule: 'kind-email-click',
      campaign: 'q3-nurture',
      rawSource: { emailEventId: 'e-1', emailCampaignId: '77', url: 'https://truce.example/q3' },
    });
    expect(touchFromEmailClick({ contactId: '5', event: click }, rules)?.idempotencyKey).toBe(
      touch?.idempotencyKey,
    );
    expect(
      touchFromEmailClick({ contactId: '5', event: { ...click, id: 'e-2' } }, rules)
        ?.idempotencyKey,
    ).not.toBe(touch?.idempotencyKey);
  });

  it.each(['OPEN', 'DELIVERED', 'SENT'])('ignores %s events', (type) => {
    expect(
      touchFromEmailClick({ contactId: '5', event: { ...click, type } }, rules),
    ).toBeUndefined();
  });
});

describe('offline touches through the request schema', () => {
  const parse = (body: unknown) => touchpointRequestSchema.safeParse(body);

  it('accepts a minimal touch and classifies it as offline', () => {
    const parsed = parse({ contactId: '42', at: '2026-07-03T14:00:00+02:00' });
    expect(parsed.success).toBe(true);
    const touch = touchFromOfflineInput(parsed.data!, rules);
    expect(touch).toMatchObject({
      contactId: '42',
      at: Date.parse('2026-07-03T12:00:00Z'),
      kind: 'offline',
      channel: 'offline',
      matchedRule: 'kind-offline',
      campaign: null,
    });
  });

  it('uses a given channel, keeps cost and note, and classifies a source otherwise', () => {
    const withChannel = parse({
      contactId: 42,
      at: 1_783_000_000_000,
      kind: 'event_attendance',
      channel: 'partner',
      campaign: 'Berlin summit',
      cost: { cents: 12_500, currency: 'EUR' },
      note: 'met at booth',
    });
    expect(touchFromOfflineInput(withChannel.data!, rules)).toMatchObject({
      contactId: '42',
      channel: 'partner',
      matchedRule: 'explicit',
      cost: { cents: 12_500, currency: 'EUR' },
      note: 'met at booth',
    });
    const withSource = parse({
      contactId: '42',
      at: 1_783_000_000_000,
      kind: 'ad_click',
      source: 'paid_social',
    });
    expect(touchFromOfflineInput(withSource.data!, rules)).toMatchObject({
      channel: 'paid_social',
      matchedRule: 'hubspot-paid-social',
    });
  });

  it('gives a re-posted touch the same key, and the reporter key wins when given', () => {
    const body = { contactId: '42', at: 1_783_000_000_000, channel: 'events', campaign: 'summit' };
    const a = touchFromOfflineInput(parse(body).data!, rules);
    const b = touchFromOfflineInput(parse({ ...body }).data!, rules);
    expect(a.idempotencyKey).toBe(b.idempotencyKey);
    const keyed = touchFromOfflineInput(parse({ ...body, idempotencyKey: 'crm-7' }).data!, rules);
    const keyedLater = touchFromOfflineInput(
      parse({ ...body, at: 1_783_000_100_000, idempotencyKey: 'crm-7' }).data!,
      rules,
    );
    expect(keyed.idempotencyKey).toBe(keyedLater.idempotencyKey);
    expect(keyed.idempotencyKey).not.toBe(a.idempotencyKey);
  });

  it.each<[string, unknown, string]>([
    ['no contact', { at: 1_783_000_000_000 }, 'contactId'],
    ['no time', { contactId: '42' }, 'at'],
    ['a time without zone', { contactId: '42', at: '2026-07-03T14:00:00' }, 'at'],
    ['a fractional epoch', { contactId: '42', at: 1.5 }, 'at'],
    [
      'a non-numeric contact id',
      { contactId: 'alice@example.com', at: 1_783_000_000_000 },
      'contactId',
    ],
    ['an unknown kind', { contactId: '42', at: 1_783_000_000_000, kind: 'telepathy' }, 'kind'],
    [
      'a negative cost',
      { contactId: '42', at: 1_783_000_000_000, cost: { cents: -1, currency: 'EUR' } },
      'cost.cents',
    ],
    [
      'a lower-case currency',
      { contactId: '42', at: 1_783_000_000_000, cost: { cents: 1, currency: 'eur' } },
      'cost.currency',
    ],
    ['an unknown field', { contactId: '42', at: 1_783_000_000_000, contact: '42' }, ''],
    [
      'a channel that is no slug',
      { contactId: '42', at: 1_783_000_000_000, channel: 'Paid Search' },
      'channel',
    ],
  ])('refuses %s', (_label, body, path) => {
    const parsed = parse(body);
    expect(parsed.success).toBe(false);
    expect(parsed.error!.issues.map((issue) => issue.path.join('.'))).toContain(path);
  });
});
