import { applyScenarioAction } from '../../sandbox/scenario-player';
import type { ScenarioAction } from '../../sandbox/scenario-types';
import { type CatchUpOptions, waitUntilCaughtUp } from './demo-catch-up';
import type { DemoStack } from './demo-stack';

export type DecisionAction = Extract<ScenarioAction, { kind: 'lead.decision' }>;

export interface PlayTimelineOptions {
  /** A rep's accept or reject made in Truce's card (scenarios with `decisionsVia: 'card'`). */
  readonly onDecision?: (action: DecisionAction, contactId: string) => Promise<void>;
  /** Runs before each action is applied (e.g. to flip the sandbox's fault switches). */
  readonly beforeAction?: (action: ScenarioAction, index: number) => Promise<void> | void;
  /** Runs after each action was applied (its contact ids are resolved by then). */
  readonly afterAction?: (action: ScenarioAction, index: number) => Promise<void> | void;
  readonly onProgress?: (done: number, total: number) => void;
  /**
   * Actions before which the service must have finished everything, HubSpot writes included. The replay
   * runs a quarter in seconds, so Truce's writes lag behind the calendar; in the real quarter a decision
   * written back hours before the deal was opened is in HubSpot before the deal is.
   */
  readonly settleBefore?: (action: ScenarioAction) => boolean;
  /** Passed to every catch-up wait (e.g. `onWait` to let the shared clock run faster while waiting). */
  readonly catchUp?: Pick<CatchUpOptions, 'onWait' | 'pollMs'>;
  /** Limit for the service to catch up at the end (default 60 s). */
  readonly catchUpTimeoutMs?: number;
}

function isMql(action: ScenarioAction): boolean {
  return (
    action.kind === 'contact.update' &&
    action.properties.lifecyclestage === 'marketingqualifiedlead'
  );
}

/**
 * Plays the scenario's timeline into the sandbox on the scenario's calendar, then sweeps the SLA clock once
 * more and waits until the service has processed every webhook and written everything back to HubSpot.
 */
export async function playTimeline(
  stack: DemoStack,
  options: PlayTimelineOptions = {},
): Promise<void> {
  const { sandbox, service, clock, state } = stack;
  const timeline = stack.scenario.timeline;
  for (let i = 0; i < timeline.length; i++) {
    const action = timeline[i] as ScenarioAction;
    clock.advanceTo(action.at);
    sandbox.admin.setTime(action.at);
    await options.beforeAction?.(action, i);
    if (options.settleBefore?.(action))
      await waitUntilCaughtUp(sandbox, service, {
        outbox: true,
        timeoutMs: 30_000,
        ...options.catchUp,
      });
    if (action.kind === 'lead.decision' && action.via === 'card' && options.onDecision) {
      // The card shows what Truce knows: the rep decides once everything before has been processed.
      await waitUntilCaughtUp(sandbox, service, {
        outbox: false,
        timeoutMs: 30_000,
        ...options.catchUp,
      });
    }
    await applyScenarioAction(sandbox, state, action, {
      ...(options.onDecision ? { onDecision: options.onDecision } : {}),
    });
    await options.afterAction?.(action, i);
    // An MQL is scored and assigned before the scenario moves on, so assignment, SLA due time and the
    // rep's first touch keep the order they have in the scenario's calendar.
    if (isMql(action)) {
      await waitUntilCaughtUp(sandbox, service, {
        outbox: false,
        timeoutMs: 30_000,
        ...options.catchUp,
      });
      await service.handoffSweeper.sweepOnce();
    }
    options.onProgress?.(i + 1, timeline.length);
  }
  sandbox.admin.setTime(undefined);
  await service.handoffSweeper.sweepOnce();
  await waitUntilCaughtUp(sandbox, service, {
    outbox: true,
    timeoutMs: options.catchUpTimeoutMs ?? 60_000,
    ...options.catchUp,
  });
}
