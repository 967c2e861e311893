import { type ChannelRules, classifyChannel } from './channel-classifier';
import { type Touch, type TouchCost, type TouchKind } from './touch';
import { touchKey } from './touch-key';

/**
 * An offline touch reported through `POST /api/v1/touchpoints` (events, calls, partner intros, ad platforms).
 * The request schema lives beside the route; this is the validated input it produces.
 */
export interface OfflineTouchInput {
  readonly contactId: string;
  /** Epoch milliseconds. */
  readonly at: number;
  readonly kind: TouchKind;
  /** A channel the reporter already knows; wins over the rules. */
  readonly channel?: string | undefined;
  /** A source value to classify (`PAID_SOCIAL`, …) when no channel is given. */
  readonly source?: string | undefined;
  /** A landing URL whose UTM parameters can be classified. */
  readonly url?: string | undefined;
  readonly campaign?: string | undefined;
  readonly cost?: TouchCost | undefined;
  readonly note?: string | undefined;
  /** The reporter's own id for the touch, so a retried request is stored once. */
  readonly idempotencyKey?: string | undefined;
}

export function touchFromOfflineInput(input: OfflineTouchInput, rules: ChannelRules): Touch {
  const classified = classifyChannel(
    {
      kind: input.kind,
      channel: input.channel ?? null,
      hubspotSource: input.source?.toUpperCase() ?? null,
      url: input.url ?? null,
    },
    rules,
  );
  const rawSource: Record<string, string> = {};
  if (input.channel) rawSource.channel = input.channel;
  if (input.source) rawSource.source = input.source;
  if (input.url) rawSource.url = input.url;
  const campaign = input.campaign ?? classified.utm.campaign ?? null;
  // Without the reporter's key, the touch's identifying fields make one: re-posting it changes nothing.
  const idempotencyKey = input.idempotencyKey
    ? touchKey('offline-key', [input.contactId, input.idempotencyKey])
    : touchKey('offline', [
        input.contactId,
        input.at,
        input.kind,
        classified.channel,
        campaign ?? '',
      ]);
  return {
    contactId: input.contactId,
    at: input.at,
    kind: input.kind,
    channel: classified.channel,
    campaign,
    rawSource,
    matchedRule: classified.matchedRule,
    idempotencyKey,
    ...(input.cost ? { cost: input.cost } : {}),
    ...(input.note ? { note: input.note } : {}),
  };
}
