import nock from 'nock';

// No test may reach the network: HubSpot is faked with nock or the local sandbox, both on loopback.
nock.disableNetConnect();
nock.enableNetConnect(/^(127\.0\.0\.1|localhost|\[::1\])(:\d+)?$/);
