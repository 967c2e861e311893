import nock from 'nock';

// No test may reach the network: HubSpot is faked with nock or the local sandbox, both on loopback.
if (!nock.isActive()) nock.activate();
nock.disableNetConnect();
nock.enableNetConnect(/^(127\.0\.0\.1|localhost|\[::1\])(:\d+)?$/);

// Jest runs several test files in one worker, each with its own copy of nock, but the interception of
// Node's http module is process-wide: restore it after each file so the next file's nock owns it.
afterAll(() => {
  nock.cleanAll();
  nock.restore();
});
