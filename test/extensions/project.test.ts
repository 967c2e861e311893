import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

import { SERVICE_BASE_URL } from '../../extensions/app/cards/generated/service-origin';
import { CRM_OBJECT_SUBSCRIPTIONS, WEBHOOK_PATH } from '../../server/hubspot/webhook-subscriptions';
import {
  buildProjectFiles,
  DEFAULT_PUBLIC_URL,
  parsePublicUrl,
  REQUIRED_SCOPES,
} from '../../server/hubspot-project/project-files';
import { findHsMetaFiles, parseWithHubSpotLibrary, readJson } from '../helpers/hubspot-project';
import { ROOT } from '../helpers/process';

const SRC = path.join(ROOT, 'extensions');
const CARDS = path.join(SRC, 'app', 'cards');

interface Meta<C = Record<string, unknown>> {
  uid: string;
  type: string;
  config: C;
}

describe('the HubSpot project, parsed offline by HubSpot’s parsing library', () => {
  const parsed = parseWithHubSpotLibrary(ROOT);

  it('reads hsproject.json: srcDir extensions, platform 2025.2', () => {
    expect(parsed.config).toEqual({
      name: 'truce',
      srcDir: 'extensions',
      platformVersion: '2025.2',
    });
  });

  it('finds every component, skips no file and drops none', () => {
    expect(parsed.skipped).toEqual([]);
    expect(parsed.components.map((c) => [c.uid, c.componentType]).sort()).toEqual([
      ['truce_app', 'APPLICATION'],
      ['truce_contact_handoff_card', 'CARD'],
      ['truce_deal_attribution_card', 'CARD'],
      ['truce_webhooks', 'WEBHOOKS'],
    ]);
    // The library silently drops a file with invalid JSON: every hsmeta file on disk must be a component.
    expect(findHsMetaFiles(SRC).sort()).toEqual(
      parsed.components.map((c) => c.metaFilePath).sort(),
    );
  });
});

describe('every *-hsmeta.json field the service relies on', () => {
  const meta = <C>(relative: string) => readJson<Meta<C>>(path.join(SRC, relative));
  const serviceOrigin = new URL(SERVICE_BASE_URL).origin;

  it('every hsmeta file is valid JSON with uid, type and config', () => {
    for (const file of findHsMetaFiles(SRC)) {
      const content = readJson<Meta>(path.join(SRC, file));
      expect(typeof content.uid).toBe('string');
      expect(typeof content.type).toBe('string');
      expect(typeof content.config).toBe('object');
    }
  });

  it('app: private static auth, exactly the minimal scopes, fetch allowed only to the service', () => {
    const app = meta<{
      distribution: string;
      auth: { type: string; requiredScopes: string[]; optionalScopes: string[] };
      permittedUrls: { fetch: string[]; iframe: string[]; img: string[] };
      support: Record<string, string>;
    }>('app/app-hsmeta.json');
    expect(app.type).toBe('app');
    expect(app.config.distribution).toBe('private');
    expect(app.config.auth.type).toBe('static');
    expect(app.config.auth.requiredScopes).toEqual([...REQUIRED_SCOPES]);
    expect(app.config.auth.optionalScopes).toEqual([]);
    expect(app.config.permittedUrls).toEqual({ fetch: [serviceOrigin], iframe: [], img: [] });
    expect(app.config.support.supportEmail).toMatch(/@/);
  });

  it.each([
    ['contact-handoff-card-hsmeta.json', 'contacts'],
    ['deal-attribution-card-hsmeta.json', 'deals'],
  ])('card %s: on %s records, its entrypoint registers a card', (file, objectType) => {
    const card = meta<{
      location: string;
      entrypoint: string;
      objectTypes: string[];
      name: string;
    }>(`app/cards/${file}`);
    expect(card.type).toBe('card');
    expect(card.config.objectTypes).toEqual([objectType]);
    expect(['crm.record.tab', 'crm.record.sidebar']).toContain(card.config.location);
    expect(card.config.entrypoint).toMatch(/^\/app\/cards\/[A-Za-z]+\.tsx$/);
    const entry = path.join(SRC, card.config.entrypoint);
    expect(existsSync(entry)).toBe(true);
    expect(readFileSync(entry, 'utf8')).toContain(`hubspot.extend<'${card.config.location}'>`);
  });

  it('webhooks: target the service’s /webhooks/hubspot with exactly the subscriptions it handles', () => {
    const webhooks = meta<{
      settings: { targetUrl: string; maxConcurrentRequests: number };
      subscriptions: { crmObjects: unknown[] };
    }>('app/webhooks/webhooks-hsmeta.json');
    const target = new URL(webhooks.config.settings.targetUrl);
    expect(target.origin).toBe(serviceOrigin);
    expect(target.pathname.endsWith(WEBHOOK_PATH)).toBe(true);
    expect(target.pathname).toBe(
      `${new URL(SERVICE_BASE_URL).pathname.replace(/\/$/, '')}${WEBHOOK_PATH}`,
    );
    expect(webhooks.config.settings.maxConcurrentRequests).toBe(10);
    expect(webhooks.config.subscriptions.crmObjects).toEqual(CRM_OBJECT_SUBSCRIPTIONS);
  });

  it('the committed URL-dependent files are exactly what `truce hubspot-project` writes', () => {
    const files = buildProjectFiles({
      publicUrl: parsePublicUrl(DEFAULT_PUBLIC_URL),
      auth: 'static',
      distribution: 'private',
    });
    for (const [relative, content] of files) {
      expect(readFileSync(path.join(ROOT, relative), 'utf8')).toBe(content);
    }
  });
});

describe('the card folder builds on its own', () => {
  const pkg = readJson<{
    type: string;
    dependencies: Record<string, string>;
    devDependencies: Record<string, string>;
  }>(path.join(CARDS, 'package.json'));

  it('is an ES module package with the SDK and React pinned exactly', () => {
    expect(pkg.type).toBe('module');
    expect(pkg.dependencies).toEqual({ '@hubspot/ui-extensions': '0.17.0', react: '18.3.1' });
    expect(pkg.devDependencies['@types/react']).toMatch(/^18\.3\.\d+$/);
  });

  it('imports only its own files and its declared dependencies', () => {
    const sources = listSources(CARDS);
    expect(sources.length).toBeGreaterThan(10);
    for (const file of sources) {
      const text = readFileSync(file, 'utf8');
      for (const [, specifier] of text.matchAll(/from '([^']+)'/g)) {
        if (specifier!.startsWith('.')) {
          const target = path.resolve(path.dirname(file), specifier!);
          expect({ file, target: path.relative(CARDS, target) }).toEqual({
            file,
            target: expect.not.stringMatching(/^\.\./),
          });
        } else {
          const packageName = specifier!
            .split('/')
            .slice(0, specifier!.startsWith('@') ? 2 : 1)
            .join('/');
          expect({ file, packageName, declared: packageName in pkg.dependencies }).toEqual({
            file,
            packageName,
            declared: true,
          });
        }
      }
    }
  });

  it('type-checks with its own tsconfig (no Node or Jest types, nothing from server/)', () => {
    expect(() =>
      execFileSync(
        path.join(ROOT, 'node_modules/.bin/tsc'),
        ['-p', path.join(CARDS, 'tsconfig.json')],
        { encoding: 'utf8', stdio: 'pipe' },
      ),
    ).not.toThrow();
  }, 60_000);
});

function listSources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'node_modules' ? [] : listSources(full);
    return /\.tsx?$/.test(entry.name) ? [full] : [];
  });
}
