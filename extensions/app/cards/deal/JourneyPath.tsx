import {
  Heading,
  Table,
  TableBody,
  TableCell,
  TableHead,
  TableHeader,
  TableRow,
  Tag,
  Text,
} from '@hubspot/ui-extensions';

import type { JourneyStep, Milestone } from '../api/contract';
import { formatDateTime, touchpointKindLabel } from '../shared/format';

const MILESTONE_TITLES: Record<Milestone, string> = {
  FT: 'first touch',
  LC: 'lead creation',
  OC: 'opportunity creation',
  CW: 'closed won',
};

interface JourneyPathProps {
  journey: JourneyStep[];
  omitted: number;
  timeZone: string;
}

export function JourneyPath({ journey, omitted, timeZone }: JourneyPathProps) {
  return (
    <>
      <Heading>Journey</Heading>
      <Text variant="microcopy">
        {`Milestones: ${Object.entries(MILESTONE_TITLES)
          .map(([code, title]) => `${code} ${title}`)
          .join(', ')}`}
      </Text>
      <Table bordered density="condensed" testId="journey">
        <TableHead>
          <TableRow>
            <TableHeader>#</TableHeader>
            <TableHeader>When</TableHeader>
            <TableHeader>Touch</TableHeader>
            <TableHeader>Campaign</TableHeader>
            <TableHeader>Milestones</TableHeader>
          </TableRow>
        </TableHead>
        <TableBody>
          {journey.map((step, index) => (
            <TableRow key={step.touchpointId}>
              <TableCell>{index + 1}</TableCell>
              <TableCell>{formatDateTime(step.occurredAt, timeZone)}</TableCell>
              <TableCell>{`${touchpointKindLabel(step.kind)} · ${step.channel}`}</TableCell>
              <TableCell>{step.campaign?.name ?? '—'}</TableCell>
              <TableCell>
                {step.milestones.map((milestone) => (
                  <Tag key={milestone} variant="info" inline>
                    {milestone}
                  </Tag>
                ))}
              </TableCell>
            </TableRow>
          ))}
        </TableBody>
      </Table>
      {omitted > 0 && (
        <Text variant="microcopy" testId="journey-omitted">
          {`${omitted} earlier touches without a milestone are not listed; every model still counts them.`}
        </Text>
      )}
    </>
  );
}
