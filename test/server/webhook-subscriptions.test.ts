import {
  CONTACT_WATCHED_PROPERTIES,
  CRM_OBJECT_SUBSCRIPTIONS,
  DEAL_WATCHED_PROPERTIES,
  isSubscribed,
} from '../../server/hubspot/webhook-subscriptions';

describe('webhook subscriptions', () => {
  it('subscribes to creation, deletion and each watched property of contacts and deals, once each', () => {
    expect(CRM_OBJECT_SUBSCRIPTIONS).toHaveLength(
      4 + CONTACT_WATCHED_PROPERTIES.length + DEAL_WATCHED_PROPERTIES.length,
    );
    const keys = CRM_OBJECT_SUBSCRIPTIONS.map((s) =>
      [s.objectType, s.subscriptionType, 'propertyName' in s ? s.propertyName : ''].join(':'),
    );
    expect(new Set(keys).size).toBe(keys.length);
    expect(CRM_OBJECT_SUBSCRIPTIONS.every((s) => s.active)).toBe(true);
  });

  it.each([
    ['contact', undefined, true],
    ['deal', undefined, true],
    ['contact', 'lifecyclestage', true],
    ['contact', 'truce_reject_reason', true],
    ['contact', 'firstname', false],
    ['deal', 'dealstage', true],
    ['deal', 'lifecyclestage', false],
    ['company', undefined, false],
  ])('isSubscribed(%s, %s) is %s', (objectType, propertyName, expected) => {
    expect(isSubscribed(objectType, propertyName)).toBe(expected);
  });
});
