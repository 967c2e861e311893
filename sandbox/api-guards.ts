import type { NextFunction, Request, Response } from 'express';

import { sendError } from './hubspot-errors';
import type { RateLimiter } from './rate-limiter';

/** Switches that make the API misbehave like HubSpot on a bad day. */
export interface ApiFaults {
  /** Every API call answers 503, as during a HubSpot incident. */
  outage: boolean;
  /** Each API call waits this long before being handled. */
  stallMs: number;
  /** Answer this status (5xx) instead of handling the call… */
  forceStatus: number | undefined;
  /** …for this many calls (undefined: until switched off). */
  forceCount: number | undefined;
}

export function createApiFaults(): ApiFaults {
  return { outage: false, stallMs: 0, forceStatus: undefined, forceCount: undefined };
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

export function faultInjection(faults: ApiFaults) {
  return async (_req: Request, res: Response, next: NextFunction): Promise<void> => {
    // unref: a stalled call must not keep a finished test run (or a closed sandbox) alive.
    if (faults.stallMs > 0) {
      await new Promise((resolve) => setTimeout(resolve, faults.stallMs).unref());
    }
    if (faults.outage) {
      return sendError(res, 503, 'SERVICE_UNAVAILABLE', 'HubSpot is temporarily unavailable.');
    }
    if (
      faults.forceStatus !== undefined &&
      (faults.forceCount === undefined || faults.forceCount > 0)
    ) {
      if (faults.forceCount !== undefined) faults.forceCount--;
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

export function rateLimiting(limiter: RateLimiter) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const decision = limiter.take(req.method === 'POST' && SEARCH_PATH.test(req.path));
    res.set(decision.headers);
    if (decision.allowed) return next();
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
