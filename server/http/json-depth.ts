import { AppError } from './app-error';

/**
 * How deep any JSON body Truce accepts may nest. HubSpot's webhook events and the card bodies are flat, the
 * touchpoint and spend bodies three levels deep; 32 leaves room for fields HubSpot may add. The limit exists
 * because parsing is iterative but some consumers are not: serialising a 100,000-deep value back to text
 * (storing an event's payload) overflows the stack, which would surface as a 500.
 */
export const MAX_JSON_DEPTH = 32;

const OPEN_BRACE = 0x7b;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACE = 0x7d;
const CLOSE_BRACKET = 0x5d;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/**
 * The nesting depth of a JSON text, read from its bytes in one pass without parsing (brackets inside strings
 * do not count). Stops counting as soon as `limit` is passed, so a bomb costs no more than its first bytes.
 * Malformed text gets a depth too; the parser refuses it afterwards.
 */
export function jsonDepth(text: Buffer | string, limit = Number.POSITIVE_INFINITY): number {
  const bytes = typeof text === 'string' ? Buffer.from(text, 'utf8') : text;
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let i = 0; i < bytes.length; i += 1) {
    const byte = bytes[i];
    if (inString) {
      if (byte === BACKSLASH) i += 1;
      else if (byte === QUOTE) inString = false;
      continue;
    }
    if (byte === QUOTE) inString = true;
    else if (byte === OPEN_BRACE || byte === OPEN_BRACKET) {
      depth += 1;
      if (depth > deepest) {
        deepest = depth;
        if (deepest > limit) return deepest;
      }
    } else if (byte === CLOSE_BRACE || byte === CLOSE_BRACKET) depth = Math.max(0, depth - 1);
  }
  return deepest;
}

/** A body nested deeper than MAX_JSON_DEPTH, as a message for the 400 answer; undefined when it is fine. */
export function jsonDepthProblem(text: Buffer | string): string | undefined {
  return jsonDepth(text, MAX_JSON_DEPTH) > MAX_JSON_DEPTH
    ? `JSON nested deeper than ${MAX_JSON_DEPTH} levels`
    : undefined;
}

/** Refuses (400) a request body nested deeper than MAX_JSON_DEPTH, before it is parsed. */
export function refuseDeepJson(body: Buffer): void {
  const tooDeep = jsonDepthProblem(body);
  if (tooDeep) throw new AppError('json_too_deep', `request body is ${tooDeep}`, 400);
}
