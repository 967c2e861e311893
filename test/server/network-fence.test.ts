import https from 'node:https';

describe('the network fence', () => {
  it('refuses a request to a real HubSpot host before any connection is made', async () => {
    const error = await new Promise<{ code?: string; message: string }>((resolve) => {
      const request = https.get('https://api.hubapi.com/crm/v3/owners', () =>
        resolve({ message: 'answered' }),
      );
      request.on('error', (err: { code?: string; message: string }) => resolve(err));
    });
    expect(error.message).toMatch(/Disallowed net connect/);
  });
});
