import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { CRM_OBJECT_SUBSCRIPTIONS } from '../../server/hubspot/webhook-subscriptions';
import { parsePublicUrl, PublicUrlError } from '../../server/hubspot-project/project-files';
import { parseWithHubSpotLibrary, readJson } from '../helpers/hubspot-project';
import { ROOT, spawnTruce } from '../helpers/process';

describe('parsePublicUrl', () => {
  it.each([
    ['https://truce.example.com', 'https://truce.example.com', 'https://truce.example.com'],
    ['https://truce.example.com/', 'https://truce.example.com', 'https://truce.example.com'],
    [
      'https://Cards.Acme.io:8443/truce/',
      'https://cards.acme.io:8443',
      'https://cards.acme.io:8443/truce',
    ],
  ])('accepts %s', (raw, origin, base) => {
    expect(parsePublicUrl(raw)).toEqual({ origin, base });
  });

  it.each([
    ['http://truce.example.com', /must use https/],
    ['https://localhost:3000', /not localhost/],
    ['https://127.0.0.1', /not 127\.0\.0\.1/],
    ['https://[::1]:3000', /reachable from HubSpot/],
    ['https://app.localhost', /reachable from HubSpot/],
    ['https://truce.example.com/?x=1', /query/],
    ['truce.example.com', /is not a URL/],
  ])('refuses %s', (raw, message) => {
    expect(() => parsePublicUrl(raw)).toThrow(PublicUrlError);
    expect(() => parsePublicUrl(raw)).toThrow(message);
  });
});

describe('truce hubspot-project on a copy of the project', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'truce-hsproject-'));
    cpSync(path.join(ROOT, 'hsproject.json'), path.join(dir, 'hsproject.json'));
    cpSync(path.join(ROOT, 'extensions'), path.join(dir, 'extensions'), {
      recursive: true,
      filter: (source) => !source.includes(`${path.sep}node_modules`),
    });
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const run = async (...args: string[]) => {
    const child = spawnTruce(['hubspot-project', '--dir', dir, ...args], {});
    const code = await child.exited;
    return { code, output: child.output() };
  };
  const read = (relative: string) => readFileSync(path.join(dir, relative), 'utf8');
  const app = () =>
    readJson<{
      config: {
        distribution: string;
        auth: { type: string; redirectUrls?: string[]; requiredScopes: string[] };
        permittedUrls: { fetch: string[] };
      };
    }>(path.join(dir, 'extensions/app/app-hsmeta.json')).config;
  const webhooks = () =>
    readJson<{
      config: { settings: { targetUrl: string }; subscriptions: { crmObjects: unknown[] } };
    }>(path.join(dir, 'extensions/app/webhooks/webhooks-hsmeta.json')).config;

  it('writes every URL-dependent value, and the project still parses', async () => {
    const first = await run('--public-url', 'https://cards.acme.io/truce');
    expect(first.code).toBe(0);
    expect(first.output).toContain('wrote     extensions/app/app-hsmeta.json');

    expect(app().permittedUrls.fetch).toEqual(['https://cards.acme.io']);
    expect(app().auth.type).toBe('static');
    expect(app().auth.redirectUrls).toBeUndefined();
    expect(webhooks().settings.targetUrl).toBe('https://cards.acme.io/truce/webhooks/hubspot');
    expect(webhooks().subscriptions.crmObjects).toEqual(CRM_OBJECT_SUBSCRIPTIONS);
    expect(read('extensions/app/cards/generated/service-origin.ts')).toContain(
      "export const SERVICE_BASE_URL = 'https://cards.acme.io/truce';",
    );
    const parsed = parseWithHubSpotLibrary(dir);
    expect(parsed.skipped).toEqual([]);
    expect(parsed.components).toHaveLength(4);

    const second = await run('--public-url', 'https://cards.acme.io/truce');
    expect(second.code).toBe(0);
    expect(second.output).toContain('unchanged extensions/app/app-hsmeta.json');
  }, 60_000);

  it('writes the OAuth variant on request, and warns that HubSpot will not switch an uploaded app', async () => {
    const { code, output } = await run('--public-url', 'https://truce.acme.io', '--auth', 'oauth');
    expect(code).toBe(0);
    expect(app().auth.type).toBe('oauth');
    expect(app().distribution).toBe('private');
    expect(app().auth.redirectUrls).toEqual(['https://truce.acme.io/oauth/callback']);
    expect(output).toContain('auth changed from static to oauth');

    await run(
      '--public-url',
      'https://truce.acme.io',
      '--auth',
      'oauth',
      '--distribution',
      'marketplace',
    );
    expect(app().distribution).toBe('marketplace');
  }, 60_000);

  it.each([
    ['http://truce.acme.io', 'must use https'],
    ['https://localhost:3000', 'must be reachable from HubSpot, not localhost'],
  ])(
    'refuses %s with exit 2 and touches nothing',
    async (url, message) => {
      const before = read('extensions/app/app-hsmeta.json');
      const { code, output } = await run('--public-url', url);
      expect(code).toBe(2);
      expect(output).toContain(message);
      expect(read('extensions/app/app-hsmeta.json')).toBe(before);
    },
    60_000,
  );
});
