import type { ErrorRequestHandler, RequestHandler } from 'express';
import { ZodError } from 'zod';

import { databaseUnavailable } from '../db/database-unavailable';
import { AppError } from './app-error';

export interface ErrorBody {
  error: { code: string; message: string };
}

/** Describes a zod failure in one readable line: `path: problem; path: problem`. */
export function describeZodError(error: ZodError): string {
  return error.issues
    .map((issue) => `${issue.path.length > 0 ? issue.path.join('.') : '(body)'}: ${issue.message}`)
    .join('; ');
}

/** Errors raised by Express's body parsers carry a `type` and an HTTP status. */
interface BodyParserError {
  type: string;
  status: number;
  message: string;
}

function isBodyParserError(error: unknown): error is BodyParserError {
  return (
    typeof error === 'object' &&
    error !== null &&
    typeof (error as BodyParserError).type === 'string' &&
    typeof (error as BodyParserError).status === 'number'
  );
}

function toAppError(error: unknown): AppError | undefined {
  if (error instanceof AppError) return error;
  if (error instanceof ZodError)
    return new AppError('invalid_request', describeZodError(error), 400);
  if (isBodyParserError(error)) {
    switch (error.type) {
      case 'entity.parse.failed':
        return new AppError(
          'malformed_json',
          `request body is not valid JSON: ${error.message}`,
          400,
        );
      case 'entity.too.large':
        return new AppError('payload_too_large', 'request body is larger than allowed', 413);
      case 'encoding.unsupported':
      case 'charset.unsupported':
        return new AppError('unsupported_encoding', error.message, 415);
      case 'request.aborted':
        return new AppError('request_aborted', 'the client aborted the request', 400);
      default:
        if (error.status >= 400 && error.status < 500) {
          return new AppError('bad_request', error.message, error.status);
        }
    }
  }
  const unavailable = databaseUnavailable(error);
  if (unavailable) {
    // 503, not 500: the request was fine and a retry will succeed once the database is back (HubSpot
    // redelivers a refused webhook batch). Whatever the request would have written was rolled back.
    return AppError.unavailable(
      `the database is unavailable (${unavailable.reason}); nothing was changed, retry later`,
      'database_unavailable',
    );
  }
  return undefined;
}

/** The last middleware: every error leaves as `{ error: { code, message } }` with the right status. */
export const errorHandler: ErrorRequestHandler = (error: unknown, req, res, next) => {
  if (res.headersSent) {
    next(error);
    return;
  }
  const known = toAppError(error);
  if (known) {
    if (known.status >= 500) req.log?.error({ err: error }, known.message);
    else req.log?.info({ code: known.code, status: known.status }, known.message);
    res
      .status(known.status)
      .json({ error: { code: known.code, message: known.message } } satisfies ErrorBody);
    return;
  }
  // Details stay in the log; the caller learns only that it was our fault.
  req.log?.error({ err: error }, 'unhandled error');
  res
    .status(500)
    .json({ error: { code: 'internal', message: 'internal server error' } } satisfies ErrorBody);
};

export const notFoundHandler: RequestHandler = (req, _res, next) => {
  next(AppError.notFound(`no route for ${req.method} ${req.path}`, 'route_not_found'));
};
