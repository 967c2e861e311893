import {
  Heading,
  Table,
  TableBody,
  TableCell,
  TableHead,
  TableHeader,
  TableRow,
} from '@hubspot/ui-extensions';

import type { AttributionModelOption, ModelSpread } from '../api/contract';
import { formatMoney } from '../shared/format';

interface ModelSpreadTableProps {
  spread: ModelSpread[];
  models: AttributionModelOption[];
  currency: string;
}

/** How much each campaign's credit moves between models: a wide spread means the models disagree. */
export function ModelSpreadTable({ spread, models, currency }: ModelSpreadTableProps) {
  if (spread.length === 0) return null;
  const label = (id: string) => models.find((model) => model.id === id)?.label ?? id;
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
              <TableCell align="right">{`${formatMoney(row.minCents, currency)} (${label(row.minModel)})`}</TableCell>
              <TableCell align="right">{`${formatMoney(row.maxCents, currency)} (${label(row.maxModel)})`}</TableCell>
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
