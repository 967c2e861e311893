import { Alert, EmptyState, Flex, LoadingSpinner, StatusTag, Text } from '@hubspot/ui-extensions';

import type { DealAttributionView } from '../api/contract';
import { type ServiceFetch, serviceFetch } from '../api/service-fetch';
import { formatDateTime, formatMoney } from '../shared/format';
import { ServiceErrorState } from '../shared/ServiceErrorState';
import { CreditBreakdown } from './CreditBreakdown';
import { JourneyPath } from './JourneyPath';
import { ModelSelect } from './ModelSelect';
import { ModelSpreadTable } from './ModelSpreadTable';
import { useDealAttribution } from './use-deal-attribution';

export interface AttributionCardProps {
  dealId: string | number;
  /** The portal's time zone (IANA name) for every date the rep reads. */
  timeZone?: string;
  fetcher?: ServiceFetch;
}

/** The deal record card: which campaigns and channels earned this deal's revenue, under each model. */
export function AttributionCard({
  dealId,
  timeZone = 'UTC',
  fetcher = serviceFetch,
}: AttributionCardProps) {
  const { state, model, selectModel, reload } = useDealAttribution(dealId, fetcher);

  switch (state.status) {
    case 'loading':
      return <LoadingSpinner label="Loading the deal's attribution" showLabel layout="centered" />;
    case 'error':
      return (
        <ServiceErrorState error={state.error} action="load the attribution" onRetry={reload} />
      );
    case 'empty':
      return (
        <EmptyState
          title="No marketing touches on this deal yet"
          imageName="deals"
          layout="vertical"
        >
          <Text>
            Truce credits campaigns through the contacts on the deal. Associate the contacts who
            took part, or import offline touches (events, calls) with the touchpoint API; the credit
            appears on the next load.
          </Text>
        </EmptyState>
      );
    case 'ready':
      return (
        <Flex direction="column" gap="md">
          <DealHeader view={state.view} timeZone={timeZone} />
          <ModelSelect
            models={state.view.models}
            value={model ?? state.view.model}
            onChange={selectModel}
          />
          {state.refreshing && (
            <LoadingSpinner
              label="Loading the credit under the chosen model"
              size="xs"
              layout="inline"
            />
          )}
          <CreditBreakdown view={state.view} />
          <ModelSpreadTable
            spread={state.view.spread}
            models={state.view.models}
            currency={state.view.currency}
          />
          <JourneyPath
            journey={state.view.journey}
            omitted={state.view.journeyOmitted}
            timeZone={timeZone}
          />
        </Flex>
      );
  }
}

function DealHeader({ view, timeZone }: { view: DealAttributionView; timeZone: string }) {
  const amount = formatMoney(view.amountCents, view.currency);
  return (
    <>
      <Flex direction="row" gap="sm" align="center">
        <Text
          format={{ fontWeight: 'bold' }}
        >{`${view.dealName ?? `Deal ${view.dealId}`}: ${amount}`}</Text>
        {view.outcome === 'won' && <StatusTag variant="success">Closed won</StatusTag>}
        {view.outcome === 'lost' && <StatusTag variant="danger">Closed lost</StatusTag>}
        {view.outcome === 'open' && <StatusTag variant="info">Open</StatusTag>}
      </Flex>
      {view.closedAt !== null && (
        <Text variant="microcopy">{`Closed ${formatDateTime(view.closedAt, timeZone)}`}</Text>
      )}
      {view.expected && (
        <Alert title="Expected credit if it closes now" variant="info" testId="expected-note">
          {`This deal is still open. The credit below is what each campaign would earn if it closed won today for ${amount}; it moves as new touches arrive and is frozen when the deal closes.`}
        </Alert>
      )}
      {view.outcome === 'lost' && (
        <Alert title="No revenue to credit" variant="warning" testId="lost-note">
          This deal was lost. Its journey still counts as a non-converting path for the Markov and
          Shapley models.
        </Alert>
      )}
    </>
  );
}
