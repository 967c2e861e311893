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

/** Query parameters that name a person (HubSpot adds the acting user's e-mail to signed card requests). */
const PERSONAL_QUERY_PARAMETERS = ['userEmail'];

/**
 * pino-http's request serializer, after the standard one: the URL and the parsed query lose the personal
 * parameters, which redaction paths cannot reach inside the URL text.
 */
export function requestLogSerializer<T extends { url?: string; query?: unknown }>(req: T): T {
  const url = req.url;
  if (!url || !PERSONAL_QUERY_PARAMETERS.some((name) => url.includes(`${name}=`))) return req;
  const [pathname, search = ''] = url.split(/\?(.*)/s, 2) as [string, string?];
  const params = new URLSearchParams(search);
  for (const name of PERSONAL_QUERY_PARAMETERS)
    if (params.has(name)) params.set(name, '[redacted]');
  const query =
    req.query && typeof req.query === 'object'
      ? Object.fromEntries(
          Object.entries(req.query).map(([name, value]) => [
            name,
            PERSONAL_QUERY_PARAMETERS.includes(name) ? '[redacted]' : value,
          ]),
        )
      : req.query;
  return Object.assign(req, { url: `${pathname}?${params.toString()}`, query });
}
