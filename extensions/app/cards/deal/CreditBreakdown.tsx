import {
  BarChart,
  Heading,
  Table,
  TableBody,
  TableCell,
  TableHead,
  TableHeader,
  TableRow,
  Text,
} from '@hubspot/ui-extensions';

import type { CampaignChannelCredit, DealAttributionView } from '../api/contract';
import { formatMoney, formatShare } from '../shared/format';

const NO_CAMPAIGN = 'No campaign';

const campaignName = (credit: CampaignChannelCredit): string =>
  credit.campaign?.name ?? NO_CAMPAIGN;

/** Chart rows in currency units (the chart's axis reads amounts, not cents), one per campaign and channel. */
export function chartRows(
  credits: CampaignChannelCredit[],
): { campaign: string; channel: string; credit: number }[] {
  return credits.map((credit) => ({
    campaign: campaignName(credit),
    channel: credit.channel,
    credit: credit.creditCents / 100,
  }));
}

export function CreditBreakdown({ view }: { view: DealAttributionView }) {
  const modelLabel = view.models.find((model) => model.id === view.model)?.label ?? view.model;
  if (view.credits.length === 0) {
    return <Text>{`No credit under ${modelLabel}.`}</Text>;
  }
  return (
    <>
      <Heading>{`Credit under ${modelLabel}`}</Heading>
      <Table bordered testId="credits">
        <TableHead>
          <TableRow>
            <TableHeader>Campaign</TableHeader>
            <TableHeader>Channel</TableHeader>
            <TableHeader align="right">Credit</TableHeader>
            <TableHeader align="right">Share</TableHeader>
          </TableRow>
        </TableHead>
        <TableBody>
          {view.credits.map((credit) => (
            <TableRow key={`${credit.campaign?.id ?? '-'}|${credit.channel}`}>
              <TableCell>{campaignName(credit)}</TableCell>
              <TableCell>{credit.channel}</TableCell>
              <TableCell align="right">{formatMoney(credit.creditCents, view.currency)}</TableCell>
              <TableCell align="right">{formatShare(credit.share)}</TableCell>
            </TableRow>
          ))}
        </TableBody>
      </Table>
      <BarChart
        testId="credit-chart"
        data={chartRows(view.credits)}
        axes={{
          x: { field: 'campaign', fieldType: 'category', label: 'Campaign' },
          y: { field: 'credit', fieldType: 'linear', label: `Credit (${view.currency})` },
          options: { groupFieldByColor: 'channel', stacking: true },
        }}
        options={{
          title: `Credit per campaign and channel (${modelLabel})`,
          showLegend: true,
          showTooltips: true,
        }}
      />
    </>
  );
}
