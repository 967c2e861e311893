import { type Config, loadConfig } from '../../server/config';

/** A typed, valid config for tests; override any environment variable. */
export function testConfig(env: Record<string, string | undefined> = {}): Config {
  return loadConfig({ PORT: '0', LOG_LEVEL: 'silent', DATABASE_URL: ':memory:', ...env });
}
