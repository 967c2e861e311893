import {
  Alert,
  Button,
  ButtonRow,
  Heading,
  LoadingButton,
  Select,
  Text,
  TextArea,
} from '@hubspot/ui-extensions';
import { useState } from 'react';

import type { CardHandoff, HandoffDecision, RejectReason } from '../api/contract';
import { formatDateTime } from '../shared/format';
import { describeError } from '../shared/ServiceErrorState';
import { type DecisionState, isConflict } from './use-contact-handoff';

const NOTE_MAX_LENGTH = 1000;

interface DecisionPanelProps {
  handoff: CardHandoff;
  rejectReasons: RejectReason[];
  decision: DecisionState;
  timeZone: string;
  onAccept: () => void;
  onReject: (reasonCode: string, note: string) => void;
  onReload: () => void;
}

export function DecisionPanel(props: DecisionPanelProps) {
  const { handoff, decision, timeZone } = props;
  return (
    <>
      <Heading>Decision</Heading>
      {handoff.decision ? (
        <DecisionRecord decision={handoff.decision} timeZone={timeZone} />
      ) : (
        !handoff.canDecide && <Text>No decision was recorded for this handoff.</Text>
      )}
      {decision.status === 'failed' && (
        <DecisionFailure
          error={decision.error}
          outcome={decision.outcome}
          onReload={props.onReload}
        />
      )}
      {handoff.canDecide && <DecisionForm {...props} />}
    </>
  );
}

function DecisionRecord({ decision, timeZone }: { decision: HandoffDecision; timeZone: string }) {
  const who = decision.decidedBy.name ?? `user ${decision.decidedBy.id}`;
  const verb = decision.outcome === 'accepted' ? 'Accepted' : 'Rejected';
  return (
    <>
      <Text testId="decision">{`${verb} by ${who} on ${formatDateTime(decision.decidedAt, timeZone)}`}</Text>
      {decision.reasonLabel && <Text>{`Reason: ${decision.reasonLabel}`}</Text>}
      {decision.note && <Text>{`Note: ${decision.note}`}</Text>}
    </>
  );
}

function DecisionFailure(props: {
  error: unknown;
  outcome: 'accept' | 'reject';
  onReload: () => void;
}) {
  const action = props.outcome === 'accept' ? 'accept the lead' : 'reject the lead';
  if (isConflict(props.error)) {
    return (
      <Alert title="This handoff changed" variant="warning" testId="decision-error">
        <Text>{describeError(props.error, action).detail}</Text>
        <Button variant="secondary" onClick={props.onReload}>
          Reload
        </Button>
      </Alert>
    );
  }
  const { title, detail } = describeError(props.error, action);
  return (
    <Alert title={title} variant="error" testId="decision-error">
      {detail}
    </Alert>
  );
}

function DecisionForm({ rejectReasons, decision, onAccept, onReject }: DecisionPanelProps) {
  const [rejecting, setRejecting] = useState(false);
  const [reasonCode, setReasonCode] = useState<string | null>(null);
  const [note, setNote] = useState('');
  const busy = decision.status === 'submitting';

  if (!rejecting) {
    return (
      <ButtonRow>
        <LoadingButton
          variant="primary"
          loading={busy && decision.outcome === 'accept'}
          disabled={busy}
          onClick={onAccept}
          testId="accept"
        >
          Accept lead
        </LoadingButton>
        <Button
          variant="destructive"
          disabled={busy}
          onClick={() => setRejecting(true)}
          testId="reject"
        >
          Reject…
        </Button>
      </ButtonRow>
    );
  }

  return (
    <>
      <Select
        label="Rejection reason"
        name="reasonCode"
        required
        placeholder="Choose why this lead is not sales-ready"
        options={rejectReasons.map((reason) => ({ label: reason.label, value: reason.code }))}
        value={reasonCode ?? undefined}
        onChange={(value) => setReasonCode(String(value))}
        testId="reject-reason"
      />
      <TextArea
        label="Note for marketing"
        name="note"
        description="Optional. Marketing sees it next to the reason in the campaign report."
        maxLength={NOTE_MAX_LENGTH}
        value={note}
        onChange={setNote}
        testId="reject-note"
      />
      <ButtonRow>
        <LoadingButton
          variant="destructive"
          loading={busy && decision.outcome === 'reject'}
          disabled={busy || reasonCode === null}
          onClick={() => {
            if (reasonCode !== null) onReject(reasonCode, note.trim());
          }}
          testId="confirm-reject"
        >
          Reject lead
        </LoadingButton>
        <Button
          variant="secondary"
          disabled={busy}
          onClick={() => setRejecting(false)}
          testId="cancel-reject"
        >
          Cancel
        </Button>
      </ButtonRow>
    </>
  );
}
