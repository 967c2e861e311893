import { testConfig } from '../helpers/config';
import { dialects } from '../helpers/database';
import { startTestService, type TestService } from '../helpers/service';

describe.each(dialects)('service basics on %s', (dialect) => {
  let running: TestService;

  beforeAll(async () => {
    running = await startTestService(testConfig(), dialect);
  });

  afterAll(async () => {
    await running.stop();
  });

  it('answers /healthz', async () => {
    const response = await fetch(`${running.baseUrl}/healthz`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'ok' });
  });

  it('is ready once migrated', async () => {
    const response = await fetch(`${running.baseUrl}/readyz`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      status: 'ready',
      checks: { database: 'ok', migrations: 'current' },
    });
  });

  it('answers an unknown route with 404 in the error shape', async () => {
    const response = await fetch(`${running.baseUrl}/nope`);
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({
      error: { code: 'route_not_found', message: 'no route for GET /nope' },
    });
  });

  it('answers a malformed JSON body with 400 and the reason', async () => {
    const response = await fetch(`${running.baseUrl}/api/anything`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"broken": ',
    });
    expect(response.status).toBe(400);
    const body = (await response.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe('malformed_json');
    expect(body.error.message).toMatch(/not valid JSON/);
  });

  it('answers an oversize JSON body with 413', async () => {
    const response = await fetch(`${running.baseUrl}/api/anything`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ blob: 'x'.repeat(1_100_000) }),
    });
    expect(response.status).toBe(413);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe(
      'payload_too_large',
    );
  });

  it('echoes a request id', async () => {
    const response = await fetch(`${running.baseUrl}/healthz`, {
      headers: { 'x-request-id': 'abc-123' },
    });
    expect(response.headers.get('x-request-id')).toBe('abc-123');
  });
});

describe('readiness when the database is gone', () => {
  it('answers 503 on /readyz', async () => {
    const running = await startTestService(testConfig());
    await running.database.close();
    const response = await fetch(`${running.baseUrl}/readyz`);
    expect(response.status).toBe(503);
    expect(((await response.json()) as { status: string }).status).toBe('not_ready');
    await running.service.close().catch(() => undefined);
  });
});
