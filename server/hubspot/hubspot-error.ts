/**
 * What a failed HubSpot call means for the caller: wait and retry, retry later, give up, or stop the portal.
 * The SDK throws `ApiException` ({ code, body, headers }); network failures throw plain errors.
 */
export type HubSpotFailure =
  | {
      kind: 'rate_limited';
      policy: 'TEN_SECONDLY_ROLLING' | 'SECONDLY' | 'DAILY';
      retryAfterMs: number;
      message: string;
    }
  | { kind: 'transient'; status: number | undefined; message: string }
  | { kind: 'unauthorized'; status: number; message: string }
  | { kind: 'conflict'; message: string }
  | { kind: 'permanent'; status: number; message: string };

const TEN_SECONDS = 10_000;
const ONE_SECOND = 1_000;
/** A DAILY 429 means the account's daily budget is gone; try again in an hour rather than hammering. */
const DAILY_BACKOFF = 60 * 60 * 1000;

interface ApiExceptionLike {
  code: number;
  body?: unknown;
  headers?: Record<string, string>;
  message?: string;
}

function isApiException(error: unknown): error is ApiExceptionLike {
  return (
    typeof error === 'object' &&
    error !== null &&
    typeof (error as ApiExceptionLike).code === 'number'
  );
}

function bodyField(body: unknown, field: string): string | undefined {
  if (typeof body === 'string') {
    try {
      return bodyField(JSON.parse(body), field);
    } catch {
      return undefined;
    }
  }
  if (typeof body === 'object' && body !== null) {
    const value = (body as Record<string, unknown>)[field];
    return typeof value === 'string' ? value : undefined;
  }
  return undefined;
}

function retryAfterMs(headers: Record<string, string> | undefined): number | undefined {
  const raw = headers?.['retry-after'] ?? headers?.['Retry-After'];
  if (!raw) return undefined;
  const seconds = Number(raw);
  return Number.isFinite(seconds) && seconds >= 0 ? seconds * 1000 : undefined;
}

export function classifyHubSpotError(error: unknown): HubSpotFailure {
  if (!isApiException(error)) {
    const message =
      typeof error === 'object' && error && 'message' in error
        ? String(error.message)
        : String(error);
    return { kind: 'transient', status: undefined, message };
  }
  const message = bodyField(error.body, 'message') ?? error.message ?? `HTTP ${error.code}`;
  const status = error.code;
  if (status === 429) {
    const policyName = bodyField(error.body, 'policyName');
    if (policyName === 'DAILY')
      return { kind: 'rate_limited', policy: 'DAILY', retryAfterMs: DAILY_BACKOFF, message };
    const secondly = policyName === 'SECONDLY' || /secondly limit/i.test(message);
    return {
      kind: 'rate_limited',
      policy: secondly ? 'SECONDLY' : 'TEN_SECONDLY_ROLLING',
      retryAfterMs: retryAfterMs(error.headers) ?? (secondly ? ONE_SECOND : TEN_SECONDS),
      message,
    };
  }
  if (status === 401 || status === 403) return { kind: 'unauthorized', status, message };
  if (status === 409) return { kind: 'conflict', message };
  if (status >= 500 || status === 408 || status === 0)
    return { kind: 'transient', status, message };
  return { kind: 'permanent', status, message };
}
