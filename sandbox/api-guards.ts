import type { NextFunction, Request, Response } from 'express';

import { sendError } from './hubspot-errors';
import type { RateLimiter } from './rate-limiter';

/** Switches that make the API misbehave like HubSpot on a bad day. */
export interface ApiFaults {
  /** Every API call answers 503, as during a HubSpot incident. */
  outage: boolean;
  /**
   * Every API call answers 503 until this time on the sandbox clock, then the API recovers by itself: an
   * outage window (set with `outageForMs` on `POST /_sandbox/faults`).
   */
  outageUntil: number | undefined;
  /** Each API call waits this long before being handled. */
  stallMs: number;
  /** Answer this status (5xx) instead of handling the call… */
  forceStatus: number | undefined;
  /** …for this many calls (undefined: until switched off). */
  forceCount: number | undefined;
}

export function createApiFaults(): ApiFaults {
  return {
    outage: false,
    outageUntil: undefined,
    stallMs: 0,
    forceStatus: undefined,
    forceCount: undefined,
  };
}

/** What the switches actually did: answers the API replaced by a fault, so a faulted test cannot pass vacuously. */
export interface InjectedFaults {
  /** 503 answers of an outage (the switch or a window). */
  outage503: number;
  /** Answers replaced by `forceStatus`. */
  forced5xx: number;
  /** 429 answers of the rate limiter, by policy. */
  rateLimited429: number;
}

export function createInjectedFaults(): InjectedFaults {
  return { outage503: 0, forced5xx: 0, rateLimited429: 0 };
}

export function bearerAuth(accessToken: string) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const header = req.get('authorization') ?? '';
    if (!header.startsWith('Bearer ')) {
      return sendError(
        res,
        401,
        'INVALID_AUTHENTICATION',
        'Authentication credentials not found. This API supports OAuth 2.0 authentication and you can find more details at https://developers.hubspot.com/docs/methods/auth/oauth-overview',
      );
    }
    if (header.slice('Bearer '.length) !== accessToken) {
      return sendError(
        res,
        401,
        'INVALID_AUTHENTICATION',
        'The OAuth token used to make this call expired or is invalid.',
      );
    }
    next();
  };
}

export function faultInjection(
  faults: ApiFaults,
  injected: InjectedFaults,
  clock: () => number = Date.now,
) {
  return async (_req: Request, res: Response, next: NextFunction): Promise<void> => {
    // unref: a stalled call must not keep a finished test run (or a closed sandbox) alive.
    if (faults.stallMs > 0) {
      await new Promise((resolve) => setTimeout(resolve, faults.stallMs).unref());
    }
    if (faults.outage || (faults.outageUntil !== undefined && clock() < faults.outageUntil)) {
      injected.outage503++;
      return sendError(res, 503, 'SERVICE_UNAVAILABLE', 'HubSpot is temporarily unavailable.');
    }
    if (
      faults.forceStatus !== undefined &&
      (faults.forceCount === undefined || faults.forceCount > 0)
    ) {
      if (faults.forceCount !== undefined) faults.forceCount--;
      injected.forced5xx++;
      const status = faults.forceStatus;
      if (faults.forceCount === 0) {
        faults.forceStatus = undefined;
        faults.forceCount = undefined;
      }
      return sendError(res, status, 'INTERNAL_ERROR', 'internal error (forced by the sandbox)');
    }
    next();
  };
}

const SEARCH_PATH = /\/search$/;

export function rateLimiting(limiter: RateLimiter, injected: InjectedFaults) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const decision = limiter.take(req.method === 'POST' && SEARCH_PATH.test(req.path));
    res.set(decision.headers);
    if (decision.allowed) return next();
    injected.rateLimited429++;
    const message =
      decision.policyName === 'SECONDLY'
        ? 'You have reached your secondly limit.'
        : `You have reached your ${decision.policyName.toLowerCase()} limit.`;
    res.status(429).json({
      status: 'error',
      message,
      errorType: 'RATE_LIMIT',
      correlationId: crypto.randomUUID(),
      category: 'RATE_LIMITS',
      policyName: decision.policyName,
    });
  };
}
