import { EmptyState, Flex, LoadingSpinner, Text } from '@hubspot/ui-extensions';

import type { CardUser } from '../api/contract';
import { type ServiceFetch, serviceFetch } from '../api/service-fetch';
import { ServiceErrorState } from '../shared/ServiceErrorState';
import { DecisionPanel } from './DecisionPanel';
import { HandoffSummary } from './HandoffSummary';
import { TouchpointTimeline } from './TouchpointTimeline';
import { useContactHandoff } from './use-contact-handoff';

export interface HandoffCardProps {
  contactId: string | number;
  /** The portal's time zone (IANA name) for every date the rep reads. */
  timeZone?: string;
  fetcher?: ServiceFetch;
  /** The rep viewing the card (`context.user`), named as the decider of an accept or reject. */
  user?: CardUser;
}

/** The contact record card: why the lead scored, who owns it, the SLA clock, and accept / reject. */
export function HandoffCard({
  contactId,
  timeZone = 'UTC',
  fetcher = serviceFetch,
  user,
}: HandoffCardProps) {
  const { state, decision, reload, accept, reject } = useContactHandoff(contactId, fetcher, user);

  switch (state.status) {
    case 'loading':
      return <LoadingSpinner label="Loading the lead handoff" showLabel layout="centered" />;
    case 'error':
      return (
        <ServiceErrorState error={state.error} action="load the lead handoff" onRetry={reload} />
      );
    case 'empty':
      return (
        <EmptyState title="No handoff for this contact yet" imageName="leads" layout="vertical">
          <Text>
            {state.reason === 'unknown-contact'
              ? 'Truce has not received this contact from HubSpot yet. New contacts arrive within a minute; for older ones ask your admin to run `truce backfill`.'
              : 'Truce starts a handoff when the contact becomes a marketing-qualified lead. Set the lifecycle stage to MQL, or wait until the contact qualifies.'}
          </Text>
        </EmptyState>
      );
    case 'ready':
      return (
        <Flex direction="column" gap="md">
          <HandoffSummary view={state.view} timeZone={timeZone} />
          <DecisionPanel
            handoff={state.view.handoff}
            rejectReasons={state.view.rejectReasons}
            decision={decision}
            timeZone={timeZone}
            onAccept={accept}
            onReject={reject}
            onReload={reload}
          />
          <TouchpointTimeline touchpoints={state.view.touchpoints} timeZone={timeZone} />
        </Flex>
      );
  }
}
