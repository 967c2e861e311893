import { hubspot } from '@hubspot/ui-extensions';

import { SERVICE_BASE_URL } from '../generated/service-origin';
import type { CardErrorBody } from './contract';

/**
 * - `unreachable`: the request never got an answer (network, timeout, service down).
 * - `wrapped`: HubSpot's proxy answered with its own error envelope instead of the service's body.
 * - `http`: the service answered non-2xx with its `{ error: { code, message } }` body.
 * - `invalid-body`: a 2xx whose body is not JSON or not the shape the card expects.
 */
export type ServiceErrorKind = 'unreachable' | 'wrapped' | 'http' | 'invalid-body';

export class ServiceError extends Error {
  constructor(
    readonly kind: ServiceErrorKind,
    message: string,
    readonly status: number | null = null,
    readonly code: string | null = null,
  ) {
    super(message);
    this.name = 'ServiceError';
  }
}

export interface ServiceRequest {
  method: 'GET' | 'POST';
  body?: Record<string, unknown>;
  timeoutMs?: number;
}

/** Calls the service at `path` and returns its JSON body once `isExpected` accepts it. */
export type ServiceFetch = <T>(
  path: string,
  request: ServiceRequest,
  isExpected: (body: unknown) => body is T,
) => Promise<T>;

// Below HubSpot's own 15 s limit so the card, not the proxy, decides what the rep sees.
const DEFAULT_TIMEOUT_MS = 10_000;

export const serviceFetch: ServiceFetch = async (path, request, isExpected) => {
  let response: Response;
  try {
    response = await hubspot.fetch(`${SERVICE_BASE_URL}${path}`, {
      method: request.method,
      timeout: request.timeoutMs ?? DEFAULT_TIMEOUT_MS,
      ...(request.body ? { body: request.body } : {}),
    });
  } catch (error) {
    throw new ServiceError('unreachable', `Truce did not answer: ${describe(error)}`);
  }
  const body = await readJson(response);
  if (!response.ok) throw errorFromAnswer(response.status, body);
  if (body === undefined) {
    throw new ServiceError(
      'invalid-body',
      'Truce answered with something that is not JSON.',
      response.status,
    );
  }
  if (isHubSpotEnvelope(body)) throw wrappedError(response.status, body);
  if (!isExpected(body)) {
    throw new ServiceError(
      'invalid-body',
      'Truce answered in a shape this card does not understand (is the service a different version?).',
      response.status,
    );
  }
  return body;
};

async function readJson(response: Response): Promise<unknown> {
  try {
    const text = await response.text();
    return text.length > 0 ? (JSON.parse(text) as unknown) : undefined;
  } catch {
    return undefined;
  }
}

function errorFromAnswer(status: number, body: unknown): ServiceError {
  if (isCardErrorBody(body)) {
    return new ServiceError('http', body.error.message, status, body.error.code);
  }
  if (isHubSpotEnvelope(body)) return wrappedError(status, body);
  return new ServiceError('http', `Truce answered HTTP ${status}.`, status);
}

function wrappedError(status: number, envelope: HubSpotEnvelope): ServiceError {
  const detail = typeof envelope.message === 'string' ? `: ${envelope.message}` : '';
  const reference =
    typeof envelope.correlationId === 'string' ? ` (reference ${envelope.correlationId})` : '';
  return new ServiceError(
    'wrapped',
    `HubSpot could not reach Truce${detail}${reference}.`,
    status,
    typeof envelope.category === 'string' ? envelope.category : null,
  );
}

export function isCardErrorBody(body: unknown): body is CardErrorBody {
  if (!isRecord(body) || !isRecord(body.error)) return false;
  return typeof body.error.code === 'string' && typeof body.error.message === 'string';
}

interface HubSpotEnvelope {
  status?: unknown;
  message?: unknown;
  correlationId?: unknown;
  category?: unknown;
}

/** HubSpot's proxy errors look like its API errors: `{ status: "error", message, correlationId, category }`. */
function isHubSpotEnvelope(body: unknown): body is HubSpotEnvelope {
  if (!isRecord(body) || 'error' in body) return false;
  return body.status === 'error' || (typeof body.correlationId === 'string' && 'category' in body);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function describe(error: unknown): string {
  if (typeof error === 'object' && error !== null && 'message' in error) {
    return String((error as { message: unknown }).message);
  }
  return String(error);
}
