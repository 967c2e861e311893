import {
  Heading,
  Table,
  TableBody,
  TableCell,
  TableHead,
  TableHeader,
  TableRow,
  Text,
} from '@hubspot/ui-extensions';

import type { CardTouchpoint } from '../api/contract';
import { formatDateTime, touchpointKindLabel } from '../shared/format';

interface TouchpointTimelineProps {
  touchpoints: CardTouchpoint[];
  timeZone: string;
}

export function TouchpointTimeline({ touchpoints, timeZone }: TouchpointTimelineProps) {
  return (
    <>
      <Heading>Touchpoints</Heading>
      {touchpoints.length === 0 ? (
        <Text>No marketing or sales touches recorded for this contact yet.</Text>
      ) : (
        <Table bordered density="condensed" testId="touchpoints">
          <TableHead>
            <TableRow>
              <TableHeader>When</TableHeader>
              <TableHeader>What</TableHeader>
              <TableHeader>Channel</TableHeader>
              <TableHeader>Campaign</TableHeader>
            </TableRow>
          </TableHead>
          <TableBody>
            {touchpoints.map((touch) => (
              <TableRow key={touch.id}>
                <TableCell>{formatDateTime(touch.occurredAt, timeZone)}</TableCell>
                <TableCell>{`${touchpointKindLabel(touch.kind)}: ${touch.label}`}</TableCell>
                <TableCell>{touch.channel}</TableCell>
                <TableCell>{touch.campaign?.name ?? '—'}</TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
      )}
    </>
  );
}
