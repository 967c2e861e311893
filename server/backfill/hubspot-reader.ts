import type { Client } from '@hubspot/api-client';
import type { z } from 'zod';

import { classifyHubSpotError } from '../hubspot/hubspot-error';
import type { RateBudget } from '../hubspot/rate-budget';

/** A non-2xx answer of a raw `client.apiRequest` call, shaped like the SDK's ApiException. */
export class HubSpotRequestError extends Error {
  constructor(
    readonly code: number,
    readonly body: unknown,
    readonly headers: Record<string, string>,
    path: string,
  ) {
    super(`HubSpot answered ${code} to GET ${path}`);
    this.name = 'HubSpotRequestError';
  }
}

export interface HubSpotReader {
  /** One SDK call, within the portal's budget; a ten-secondly 429 pauses the portal and is retried. */
  call<T>(request: (client: Client) => Promise<T>): Promise<T>;
  /**
   * A GET the SDK has no generated API for (campaigns, marketing emails, form submissions v1, email events
   * v1), its answer checked against the schema; an answer of another shape ends the run with the reason.
   */
  getJson<S extends z.ZodType>(
    path: string,
    schema: S,
    query?: Record<string, string | number | undefined>,
  ): Promise<z.output<S>>;
}

export interface HubSpotReaderOptions {
  readonly client: Client;
  readonly portalId: number;
  readonly budget: RateBudget;
  readonly now?: () => number;
  /** 429s in a row before giving up (the run stops; its cursors let the next run continue). */
  readonly maxRateLimitRetries?: number;
  readonly onRateLimited?: (retryAfterMs: number, policy: string) => void;
}

/**
 * Backfill reads many pages; each read takes a slot of the portal's request budget (shared with the
 * service's other HubSpot callers when run in-process). A 429 pauses the whole portal for the time HubSpot
 * asks (Retry-After, else the policy's window) and the read is repeated. A DAILY 429 and every other error end
 * the run: the cursors make the next run continue, which is safer than retrying blind for hours.
 */
export function createHubSpotReader(options: HubSpotReaderOptions): HubSpotReader {
  const now = options.now ?? Date.now;
  const maxRetries = options.maxRateLimitRetries ?? 10;

  async function call<T>(request: (client: Client) => Promise<T>): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      await options.budget.take(options.portalId);
      try {
        return await request(options.client);
      } catch (error) {
        const failure = classifyHubSpotError(error);
        if (
          failure.kind !== 'rate_limited' ||
          failure.policy === 'DAILY' ||
          attempt >= maxRetries
        ) {
          throw error;
        }
        options.onRateLimited?.(failure.retryAfterMs, failure.policy);
        options.budget.pauseUntil(options.portalId, now() + failure.retryAfterMs);
      }
    }
  }

  return {
    call,
    getJson: <S extends z.ZodType>(
      path: string,
      schema: S,
      query: Record<string, string | number | undefined> = {},
    ) =>
      call(async (client) => {
        const qs: Record<string, string> = {};
        for (const [key, value] of Object.entries(query)) {
          if (value !== undefined) qs[key] = String(value);
        }
        const response = await client.apiRequest({ method: 'GET', path, qs });
        const text = await response.text();
        if (!response.ok) {
          const headers: Record<string, string> = {};
          response.headers.forEach((value, key) => {
            headers[key] = value;
          });
          throw new HubSpotRequestError(response.status, text, headers, path);
        }
        const parsed = schema.safeParse(JSON.parse(text));
        if (!parsed.success) {
          const issue = parsed.error.issues[0];
          throw new Error(
            `unexpected HubSpot answer to GET ${path}: ${issue?.path.join('.') || '(body)'} ${issue?.message ?? ''}`,
          );
        }
        return parsed.data as z.output<S>;
      }),
  };
}
