import { Button, ErrorState, Text } from '@hubspot/ui-extensions';

import { ServiceError } from '../api/service-fetch';

interface ServiceErrorStateProps {
  error: unknown;
  /** What failed, e.g. "load the handoff". */
  action: string;
  onRetry: () => void;
}

/** One error screen for both cards, so the rep always reads what went wrong and gets a Retry. */
export function ServiceErrorState({ error, action, onRetry }: ServiceErrorStateProps) {
  const { title, detail } = describeError(error, action);
  return (
    <ErrorState title={title} type="error">
      <Text>{detail}</Text>
      <Button variant="secondary" onClick={onRetry} testId="retry">
        Retry
      </Button>
    </ErrorState>
  );
}

export function describeError(error: unknown, action: string): { title: string; detail: string } {
  if (!(error instanceof ServiceError)) {
    return { title: `Could not ${action}`, detail: 'Something unexpected went wrong in the card.' };
  }
  switch (error.kind) {
    case 'unreachable':
      return {
        title: 'Truce is unreachable',
        detail: `${sentence(error.message)} If this keeps happening, ask your admin whether the Truce service is running.`,
      };
    case 'wrapped':
      return { title: 'HubSpot could not reach Truce', detail: error.message };
    case 'invalid-body':
      return { title: `Could not ${action}`, detail: error.message };
    case 'http':
      return {
        title: `Could not ${action}`,
        detail: `${error.message} (HTTP ${error.status ?? '?'}${error.code ? `, ${error.code}` : ''})`,
      };
  }
}

const sentence = (text: string): string => (/[.!?]$/.test(text) ? text : `${text}.`);
