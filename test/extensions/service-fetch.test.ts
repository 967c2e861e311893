import { isContactHandoffView } from '../../extensions/app/cards/api/contract-guards';
import { ServiceError, serviceFetch } from '../../extensions/app/cards/api/service-fetch';
import { SERVICE_BASE_URL } from '../../extensions/app/cards/generated/service-origin';
import { contactView } from '../helpers/card-fixtures';

// hubspot.fetch is `self.hsFetch` inside HubSpot's worker; the test plays HubSpot's part.
const hsFetch = jest.fn<Promise<Response>, [string, Record<string, unknown>]>();
const worker = globalThis as unknown as { self: unknown; hsFetch: typeof hsFetch };
beforeAll(() => {
  worker.self = globalThis;
  worker.hsFetch = hsFetch;
});
beforeEach(() => hsFetch.mockReset());

const json = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });

async function failure(promise: Promise<unknown>): Promise<ServiceError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof ServiceError) return error;
    throw error;
  }
  throw new Error('expected a ServiceError');
}

const load = () =>
  serviceFetch('/api/card/contacts/5101/handoff', { method: 'GET' }, isContactHandoffView);

describe('serviceFetch: the card’s one network edge', () => {
  it('calls the configured service with a timeout and returns a body of the expected shape', async () => {
    hsFetch.mockResolvedValue(json(200, contactView));
    await expect(load()).resolves.toEqual(contactView);
    expect(hsFetch).toHaveBeenCalledWith(`${SERVICE_BASE_URL}/api/card/contacts/5101/handoff`, {
      method: 'GET',
      timeout: 10_000,
    });
  });

  it('sends a POST body as an object (HubSpot serialises it) and honours a custom timeout', async () => {
    hsFetch.mockResolvedValue(json(200, contactView));
    await serviceFetch(
      '/api/card/contacts/5101/handoff/accept',
      { method: 'POST', body: { handoffId: 'h-41' }, timeoutMs: 3000 },
      isContactHandoffView,
    );
    expect(hsFetch.mock.calls[0]?.[1]).toEqual({
      method: 'POST',
      timeout: 3000,
      body: { handoffId: 'h-41' },
    });
  });

  const cases: [string, () => Promise<Response>, Partial<ServiceError>][] = [
    [
      'no answer at all',
      () => Promise.reject(new Error('Request timed out')),
      { kind: 'unreachable', message: 'Truce did not answer: Request timed out' },
    ],
    [
      "the service's own error body",
      async () =>
        json(409, { error: { code: 'handoff_already_decided', message: 'Already accepted.' } }),
      { kind: 'http', status: 409, code: 'handoff_already_decided', message: 'Already accepted.' },
    ],
    [
      "HubSpot's error envelope on a 5xx",
      async () =>
        json(502, {
          status: 'error',
          message: 'Bad gateway',
          correlationId: 'c-1',
          category: 'PROXY',
        }),
      {
        kind: 'wrapped',
        status: 502,
        code: 'PROXY',
        message: 'HubSpot could not reach Truce: Bad gateway (reference c-1).',
      },
    ],
    [
      "HubSpot's error envelope inside a 200",
      async () => json(200, { status: 'error', message: 'Upstream failed', correlationId: 'c-2' }),
      { kind: 'wrapped', status: 200 },
    ],
    [
      'a non-JSON error page',
      async () => new Response('<html>502</html>', { status: 502 }),
      { kind: 'http', status: 502, code: null, message: 'Truce answered HTTP 502.' },
    ],
    [
      'a 2xx that is not JSON',
      async () => new Response('ok', { status: 200 }),
      { kind: 'invalid-body', status: 200 },
    ],
    [
      'a 2xx of the wrong shape',
      async () => json(200, { ...contactView, now: 'yesterday' }),
      { kind: 'invalid-body', status: 200 },
    ],
  ];

  it.each(cases)('throws a typed error for %s', async (_label, answer, expected) => {
    hsFetch.mockImplementation(answer);
    expect(await failure(load())).toMatchObject(expected);
  });
});
