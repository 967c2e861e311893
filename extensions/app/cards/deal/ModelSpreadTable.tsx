import {
  Heading,
  Table,
  TableBody,
  TableCell,
  TableHead,
  TableHeader,
  TableRow,
} from '@hubspot/ui-extensions';

import type { ModelSpread } from '../api/contract';
import { formatMoney } from '../shared/format';

interface ModelSpreadTableProps {
  spread: ModelSpread[];
  currency: string;
}

/** How much each campaign's credit moves between models: a wide spread means the models disagree. */
export function ModelSpreadTable({ spread, currency }: ModelSpreadTableProps) {
  if (spread.length === 0) return null;
  return (
    <>
      <Heading>Spread across models</Heading>
      <Table bordered density="condensed" testId="spread">
        <TableHead>
          <TableRow>
            <TableHeader>Campaign</TableHeader>
            <TableHeader align="right">Lowest</TableHeader>
            <TableHeader align="right">Highest</TableHeader>
            <TableHeader align="right">Highest ÷ lowest</TableHeader>
          </TableRow>
        </TableHead>
        <TableBody>
          {spread.map((row) => (
            <TableRow key={row.campaign?.id ?? '-'}>
              <TableCell>{row.campaign?.name ?? 'No campaign'}</TableCell>
              <TableCell align="right">{`${formatMoney(row.minCents, currency)} (${row.minModel})`}</TableCell>
              <TableCell align="right">{`${formatMoney(row.maxCents, currency)} (${row.maxModel})`}</TableCell>
              <TableCell align="right">
                {row.ratio === null ? '∞ (zero under one model)' : `${row.ratio.toFixed(2)}×`}
              </TableCell>
            </TableRow>
          ))}
        </TableBody>
      </Table>
    </>
  );
}
