import { type Config, ConfigError, loadConfig } from '../config';
import { createLogger, type Logger } from '../logger';

/** Exit code for bad input or bad configuration (usage errors), distinct from crashes (1). */
export const EXIT_USAGE = 2;

/**
 * Loads config and logger for a CLI command. An invalid config is printed as a list of every problem, then
 * the process exits: nothing starts on a config that would misbehave later.
 */
export function loadRuntime(): { config: Config; logger: Logger } {
  try {
    // The one place that reads the process environment; everything else receives Config.
    const config = loadConfig(process.env);
    return { config, logger: createLogger(config.logLevel) };
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(EXIT_USAGE);
    }
    throw error;
  }
}

/**
 * Only the business rules (`TRUCE_CONFIG`), for commands that do not run the service: they must not fail
 * on service settings they never use.
 */
export function loadSettings(): Config['settings'] {
  try {
    return loadConfig({ TRUCE_CONFIG: process.env.TRUCE_CONFIG }).settings;
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(EXIT_USAGE);
    }
    throw error;
  }
}
