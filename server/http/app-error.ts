/**
 * The one error type the service throws on purpose. `code` is stable and machine-readable; `message` is for
 * the person reading the answer; `status` is the HTTP status the translator uses.
 */
export class AppError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status: number,
    readonly details?: Readonly<Record<string, unknown>>,
  ) {
    super(message);
    this.name = 'AppError';
  }

  static badRequest(message: string, code = 'bad_request'): AppError {
    return new AppError(code, message, 400);
  }

  static unauthorized(message = 'missing or invalid credentials', code = 'unauthorized'): AppError {
    return new AppError(code, message, 401);
  }

  static notFound(message = 'not found', code = 'not_found'): AppError {
    return new AppError(code, message, 404);
  }

  static conflict(message: string, code = 'conflict'): AppError {
    return new AppError(code, message, 409);
  }

  static unavailable(message: string, code = 'unavailable'): AppError {
    return new AppError(code, message, 503);
  }
}
