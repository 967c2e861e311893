import {
  DescriptionList,
  DescriptionListItem,
  Heading,
  Statistics,
  StatisticsItem,
  StatusTag,
  Table,
  TableBody,
  TableCell,
  TableHead,
  TableHeader,
  TableRow,
  Text,
} from '@hubspot/ui-extensions';

import type { HandoffSla, HandoffStatus } from '../api/contract';
import { formatDateTime, formatDuration, formatPoints } from '../shared/format';
import type { ReadyHandoffView } from './use-contact-handoff';

type TagVariant = 'danger' | 'warning' | 'info' | 'success' | 'default';

const STATUS_LABELS: Record<HandoffStatus, { label: string; variant: TagVariant }> = {
  pending: { label: 'Pending', variant: 'info' },
  accepted: { label: 'Accepted (SQL)', variant: 'success' },
  rejected: { label: 'Rejected', variant: 'danger' },
  breached: { label: 'SLA breached', variant: 'danger' },
  converted: { label: 'Converted', variant: 'success' },
  recycled: { label: 'Recycled', variant: 'default' },
};

export function slaText(sla: HandoffSla, now: number): { text: string; variant: TagVariant } {
  switch (sla.state) {
    case 'due':
      return { text: `Due in ${formatDuration(sla.dueAt - now)}`, variant: 'warning' };
    case 'breached':
      return { text: `Breached ${formatDuration(now - sla.dueAt)} ago`, variant: 'danger' };
    case 'met':
      return { text: 'Met', variant: 'success' };
  }
}

interface HandoffSummaryProps {
  view: ReadyHandoffView;
  timeZone: string;
}

export function HandoffSummary({ view, timeZone }: HandoffSummaryProps) {
  const { handoff, now } = view;
  const status = STATUS_LABELS[handoff.status];
  const sla = slaText(handoff.sla, now);
  const delayLabel =
    handoff.sla.firstTouchAt === null ? 'Waiting for first touch' : 'Time to first touch';
  return (
    <>
      <Statistics>
        <StatisticsItem label="Lead score" number={handoff.score.value} testId="score">
          <Text>Grade {handoff.score.grade}</Text>
        </StatisticsItem>
        <StatisticsItem
          label={delayLabel}
          number={formatDuration(handoff.sla.repDelayMs)}
          testId="rep-delay"
        />
      </Statistics>
      <DescriptionList direction="row">
        <DescriptionListItem label="Owner">
          <Text>
            {handoff.owner ? (handoff.owner.name ?? `Owner ${handoff.owner.id}`) : 'Unassigned'}
          </Text>
        </DescriptionListItem>
        <DescriptionListItem label="Status">
          <StatusTag variant={status.variant} testId="handoff-status">
            {status.label}
          </StatusTag>
        </DescriptionListItem>
        <DescriptionListItem label="SLA">
          <StatusTag variant={sla.variant} testId="sla">
            {sla.text}
          </StatusTag>
        </DescriptionListItem>
        <DescriptionListItem label="SLA deadline">
          <Text>{formatDateTime(handoff.sla.dueAt, timeZone)}</Text>
        </DescriptionListItem>
        <DescriptionListItem label="Assigned">
          <Text>{formatDateTime(handoff.assignedAt, timeZone)}</Text>
        </DescriptionListItem>
      </DescriptionList>
      <Heading>Why this score</Heading>
      {handoff.score.reasons.length === 0 ? (
        <Text>No rule or feature contributed points.</Text>
      ) : (
        <Table bordered testId="score-reasons">
          <TableHead>
            <TableRow>
              <TableHeader>Reason</TableHeader>
              <TableHeader align="right">Points</TableHeader>
              <TableHeader>Source</TableHeader>
            </TableRow>
          </TableHead>
          <TableBody>
            {handoff.score.reasons.map((reason) => (
              <TableRow key={reason.label}>
                <TableCell>{reason.label}</TableCell>
                <TableCell align="right">{formatPoints(reason.points)}</TableCell>
                <TableCell>{reason.source === 'rule' ? 'Rule' : 'Learned feature'}</TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
      )}
    </>
  );
}
