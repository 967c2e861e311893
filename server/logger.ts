import pino, { type Logger } from 'pino';

import type { Config } from './config';

export type { Logger };

/**
 * Structured JSON logs. Credentials and signatures are redacted wherever they appear, so a log shipped to a
 * third party never carries a secret.
 */
export function createLogger(
  level: Config['logLevel'],
  destination?: pino.DestinationStream,
): Logger {
  return pino(
    {
      level,
      base: { service: 'truce' },
      redact: {
        paths: [
          'req.headers.authorization',
          'req.headers.cookie',
          'req.headers["x-hubspot-signature"]',
          'req.headers["x-hubspot-signature-v3"]',
          '*.accessToken',
          '*.refreshToken',
          '*.clientSecret',
          '*.apiKey',
          '*.email',
        ],
        censor: '[redacted]',
      },
    },
    destination,
  );
}
