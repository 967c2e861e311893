import { randomUUID } from 'node:crypto';

import type { ModelError, StandardError } from '@hubspot/api-client/lib/codegen/crm/contacts';
import type { Response } from 'express';

import type { Wire } from './hubspot-wire';

/** HubSpot's error body: `status: "error"` beside the generated `Error` model's fields. */
export type HubSpotErrorBody = Wire<ModelError> & { readonly status: 'error' };

export type WireStandardError = Wire<StandardError>;

export function errorBody(
  category: string,
  message: string,
  extra: Partial<Omit<HubSpotErrorBody, 'status' | 'message' | 'category'>> = {},
): HubSpotErrorBody {
  return { status: 'error', message, correlationId: randomUUID(), category, ...extra };
}

export function sendError(
  res: Response,
  httpStatus: number,
  category: string,
  message: string,
  extra: Partial<Omit<HubSpotErrorBody, 'status' | 'message' | 'category'>> = {},
): void {
  res.status(httpStatus).json(errorBody(category, message, extra));
}

export function notFound(res: Response, message = 'resource not found'): void {
  sendError(res, 404, 'OBJECT_NOT_FOUND', message);
}

export function validationError(res: Response, message: string): void {
  sendError(res, 400, 'VALIDATION_ERROR', message);
}

/** One entry of a 207's `errors`, in the generated `StandardError` shape. */
export function standardError(
  category: string,
  message: string,
  context: Record<string, string[]>,
  subCategory?: string,
): WireStandardError {
  return {
    status: 'error',
    category,
    message,
    context,
    errors: [],
    links: {},
    ...(subCategory ? { subCategory } : {}),
  };
}

export const MAX_BATCH_INPUTS = 100;

/** HubSpot refuses a batch above 100 inputs with a 400 before touching any of them. */
export function rejectOversizedBatch(res: Response, inputs: readonly unknown[]): boolean {
  if (inputs.length <= MAX_BATCH_INPUTS) return false;
  validationError(
    res,
    `Batch input is too large. The maximum number of inputs per batch is ${MAX_BATCH_INPUTS}, but ${inputs.length} were provided.`,
  );
  return true;
}
