import { MAX_JSON_DEPTH } from '../../../server/http/json-depth';
import { testConfig } from '../../helpers/config';
import { cardRequest } from '../../helpers/handoff';
import { startTestService, type TestService } from '../../helpers/service';
import { errorOf, hubspotEvent, postWebhook, signV3, webhookEnv } from '../../helpers/webhooks';

const T0 = 1_764_100_000_000;
const API_KEY = 'limits-test-key-0123456789';
const FIVE_MINUTES = 5 * 60_000;

/** `[[[…]]]` nested `depth` levels. */
const nested = (depth: number, leaf = '1') => '['.repeat(depth) + leaf + ']'.repeat(depth);

describe('request limits, nesting bombs and replays', () => {
  let running: TestService;
  let clock = T0;

  beforeAll(async () => {
    running = await startTestService(testConfig(webhookEnv({ TRUCE_API_KEY: API_KEY })), 'sqlite', {
      now: () => clock,
      startWorkers: false,
    });
  });
  afterAll(() => running.stop());
  beforeEach(async () => {
    clock = T0;
    await running.database.db.deleteFrom('webhook_event').execute();
  });

  const storedEvents = async () =>
    (await running.database.db.selectFrom('webhook_event').select('id').execute()).length;

  const api = (path: string, body: string, headers: Record<string, string> = {}) =>
    fetch(`${running.baseUrl}${path}`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${API_KEY}`,
        'content-type': 'application/json',
        ...headers,
      },
      body,
    });

  describe('JSON nesting bombs answer 400 json_too_deep, never 500', () => {
    const bomb = nested(200_000);
    const objectBomb = '{"a":'.repeat(100_000) + '1' + '}'.repeat(100_000);

    it('webhook batch: an event carrying a 200,000-deep field is refused and nothing is stored', async () => {
      const body = JSON.stringify([hubspotEvent()]).replace(/}]$/, `,"extra":${bomb}}]`);
      const response = await postWebhook(running.baseUrl, body, { timestamp: clock });
      expect(response.status).toBe(400);
      expect(await errorOf(response)).toEqual({
        code: 'json_too_deep',
        message: `not a valid webhook batch: JSON nested deeper than ${MAX_JSON_DEPTH} levels`,
      });
      expect(await storedEvents()).toBe(0);
    });

    it('webhook batch: a field nested exactly to the limit is still accepted', async () => {
      const body = JSON.stringify([hubspotEvent()]).replace(
        /}]$/,
        `,"extra":${nested(MAX_JSON_DEPTH - 2)}}]`,
      );
      const response = await postWebhook(running.baseUrl, body, { timestamp: clock });
      expect(response.status).toBe(204);
      expect(await storedEvents()).toBe(1);
    });

    it.each([
      ['/api/v1/touchpoints', bomb],
      ['/api/v1/touchpoints', objectBomb],
      ['/api/v1/spend', `{"entries":[${objectBomb}]}`],
    ])('bearer API %s: 400 json_too_deep', async (path, body) => {
      const response = await api(path, body);
      expect(response.status).toBe(400);
      expect((await errorOf(response)).code).toBe('json_too_deep');
    });

    it.each(['accept', 'reject'])('card POST %s: 400 json_too_deep', async (action) => {
      const response = await cardRequest(
        running.baseUrl,
        'POST',
        `/api/card/contacts/501/handoff/${action}`,
        { timestamp: clock, body: { handoffId: '1', deep: JSON.parse(nested(100)) as unknown } },
      );
      expect(response.status).toBe(400);
      expect((await errorOf(response)).code).toBe('json_too_deep');
    });
  });

  describe('body size: 413 payload_too_large on every body-taking route', () => {
    const twoMegabytes = JSON.stringify({ padding: 'x'.repeat(2 * 1024 * 1024) });

    it.each(['/api/v1/touchpoints', '/api/v1/spend'])('%s', async (path) => {
      const response = await api(path, twoMegabytes);
      expect(response.status).toBe(413);
      expect(await errorOf(response)).toEqual({
        code: 'payload_too_large',
        message: 'request body is larger than allowed',
      });
    });

    it('the webhook route', async () => {
      const response = await postWebhook(running.baseUrl, twoMegabytes, { timestamp: clock });
      expect(response.status).toBe(413);
      expect((await errorOf(response)).code).toBe('payload_too_large');
    });

    it('the card routes, before the signature is even checked', async () => {
      const response = await cardRequest(
        running.baseUrl,
        'POST',
        '/api/card/contacts/501/handoff/accept',
        { timestamp: clock, body: { padding: 'x'.repeat(2 * 1024 * 1024) } },
      );
      expect(response.status).toBe(413);
      expect((await errorOf(response)).code).toBe('payload_too_large');
    });
  });

  it('oversized request headers are refused by Node with 431 before any route runs', async () => {
    const response = await fetch(`${running.baseUrl}/api/v1/reports/handoffs`, {
      headers: { authorization: `Bearer ${API_KEY}`, 'x-padding': 'a'.repeat(64 * 1024) },
    });
    const status = response.status;
    expect(status).toBe(431);
    // The service keeps answering afterwards.
    expect((await fetch(`${running.baseUrl}/healthz`)).status).toBe(200);
  });

  describe('a captured signed request replayed later is refused', () => {
    it('webhook: accepted when fresh, 401 timestamp_out_of_range 5 minutes and 1 second later', async () => {
      const body = JSON.stringify([hubspotEvent()]);
      const headers = {
        'content-type': 'application/json',
        'x-hubspot-signature-v3': signV3(body, T0),
        'x-hubspot-request-timestamp': String(T0),
      };
      const send = () =>
        fetch(`${running.baseUrl}/webhooks/hubspot`, { method: 'POST', headers, body });
      expect((await send()).status).toBe(204);
      await running.database.db.deleteFrom('webhook_event').execute();

      clock = T0 + FIVE_MINUTES + 1_000;
      const replayed = await send();
      expect(replayed.status).toBe(401);
      expect(await errorOf(replayed)).toEqual({
        code: 'invalid_signature',
        message: 'HubSpot signature refused: timestamp_out_of_range',
      });
      expect(await storedEvents()).toBe(0);

      // A timestamp from the future is no better.
      clock = T0 - FIVE_MINUTES - 1_000;
      expect((await send()).status).toBe(401);
      expect(await storedEvents()).toBe(0);
    });

    it('card: the same signed GET is refused once the window has passed', async () => {
      const path = '/api/card/contacts/501/handoff';
      expect((await cardRequest(running.baseUrl, 'GET', path, { timestamp: T0 })).status).toBe(200);
      clock = T0 + FIVE_MINUTES + 1_000;
      const replayed = await cardRequest(running.baseUrl, 'GET', path, { timestamp: T0 });
      expect(replayed.status).toBe(401);
      expect((await errorOf(replayed)).message).toBe(
        'HubSpot signature refused: timestamp_out_of_range',
      );
    });
  });
});
