import { isMissingValue, parseNumber } from './contact-snapshot';
import type { SparseRow } from './logistic-regression';

/**
 * Turns property values into model features, learned from the training rows only: numeric columns are
 * sign-preserving log1p then standardised (missing → the mean, plus a missing indicator); categorical columns
 * are one-hot with levels rarer than `minLevelCount` pooled into "other" (unseen levels at scoring time go
 * there too) and "Select"/empty as their own "missing" indicator. Columns that look like identifiers or never
 * vary are skipped and said so.
 */

export type PropertyRow = Readonly<Record<string, string | null | undefined>>;

export const OTHER_LEVEL = '(other)';
export const MISSING_LEVEL = '(missing)';

export interface NumericColumn {
  readonly kind: 'numeric';
  readonly column: string;
  readonly transform: 'signed_log1p';
  readonly mean: number;
  readonly sd: number;
  /**
   * Upper edges of quantile bins over the raw value; each bin gets its own indicator beside the linear
   * term, so a step or a plateau (e.g. "no time on the site at all") is not forced onto one slope.
   */
  readonly binEdges: readonly number[];
}

export interface CategoricalColumn {
  readonly kind: 'categorical';
  readonly column: string;
  readonly levels: readonly string[];
}

export type ColumnEncoding = NumericColumn | CategoricalColumn;

export interface SkippedColumn {
  readonly column: string;
  readonly reason: string;
}

export interface FeatureEncoding {
  readonly columns: readonly ColumnEncoding[];
  readonly skipped: readonly SkippedColumn[];
}

export interface EncodingOptions {
  readonly minLevelCount: number;
  /** Quantile bins per numeric column (0 = linear term only). */
  readonly numericBins: number;
}

export function learnEncoding(
  rows: readonly PropertyRow[],
  columns: readonly string[],
  options: EncodingOptions,
): FeatureEncoding {
  const encoded: ColumnEncoding[] = [];
  const skipped: SkippedColumn[] = [];
  for (const column of columns) {
    const present = rows.map((row) => row[column]).filter((v): v is string => !isMissingValue(v));
    const trimmed = present.map((value) => value.trim());
    const distinct = new Set(trimmed.map((value) => value.toLowerCase()));
    if (present.length === 0) {
      skipped.push({ column, reason: 'always missing' });
      continue;
    }
    if (distinct.size === 1 && present.length === rows.length) {
      skipped.push({ column, reason: 'constant' });
      continue;
    }
    if (trimmed.every((value) => parseNumber(value) !== undefined)) {
      const transformed = trimmed.map((value) => signedLog1p(parseNumber(value)!));
      const mean = transformed.reduce((total, value) => total + value, 0) / transformed.length;
      const variance =
        transformed.reduce((total, value) => total + (value - mean) ** 2, 0) / transformed.length;
      encoded.push({
        kind: 'numeric',
        column,
        transform: 'signed_log1p',
        mean,
        sd: Math.sqrt(variance) || 1,
        binEdges: quantileEdges(
          trimmed.map((value) => parseNumber(value)!),
          options.numericBins,
        ),
      });
      continue;
    }
    if (distinct.size > 50 && distinct.size > 0.5 * present.length) {
      skipped.push({
        column,
        reason: `looks like an identifier (${distinct.size} distinct values)`,
      });
      continue;
    }
    const counts = new Map<string, { label: string; count: number }>();
    for (const value of trimmed) {
      const key = value.toLowerCase();
      const entry = counts.get(key) ?? { label: value, count: 0 };
      entry.count += 1;
      counts.set(key, entry);
    }
    const levels = [...counts.values()]
      .filter((entry) => entry.count >= options.minLevelCount)
      .sort((a, b) => b.count - a.count || a.label.localeCompare(b.label))
      .map((entry) => entry.label);
    encoded.push({ kind: 'categorical', column, levels });
  }
  return { columns: encoded, skipped };
}

/** Feature names in model order; each column owns a contiguous block. */
export function featureNames(encoding: FeatureEncoding): string[] {
  return encoding.columns.flatMap((column) =>
    column.kind === 'numeric'
      ? [
          column.column,
          `${column.column}=${MISSING_LEVEL}`,
          ...binLabels(column).map((label) => `${column.column} in ${label}`),
        ]
      : [...column.levels, OTHER_LEVEL, MISSING_LEVEL].map((level) => `${column.column}=${level}`),
  );
}

export function featureCount(column: ColumnEncoding): number {
  return column.kind === 'numeric' ? 3 + column.binEdges.length : column.levels.length + 2;
}

export interface EncodedValue {
  /** Active features inside the column's block: offset and value. */
  readonly slots: readonly { readonly slot: number; readonly value: number }[];
  /** What the model saw, for the explanation: the value, "(other)" or "(missing)". */
  readonly seen: string;
}

export function encodeValue(column: ColumnEncoding, raw: string | null | undefined): EncodedValue {
  const missing = column.kind === 'numeric' ? 1 : column.levels.length + 1;
  if (isMissingValue(raw)) return { slots: [{ slot: missing, value: 1 }], seen: MISSING_LEVEL };
  const value = raw.trim();
  if (column.kind === 'numeric') {
    const number = parseNumber(value);
    if (number === undefined) return { slots: [{ slot: missing, value: 1 }], seen: MISSING_LEVEL };
    const bin = column.binEdges.findIndex((edge) => number <= edge);
    return {
      slots: [
        { slot: 0, value: (signedLog1p(number) - column.mean) / column.sd },
        { slot: 2 + (bin < 0 ? column.binEdges.length : bin), value: 1 },
      ],
      seen: value,
    };
  }
  const index = column.levels.findIndex((level) => level.toLowerCase() === value.toLowerCase());
  return index >= 0
    ? { slots: [{ slot: index, value: 1 }], seen: column.levels[index]! }
    : { slots: [{ slot: column.levels.length, value: 1 }], seen: `${OTHER_LEVEL} ${value}` };
}

export function encodeRow(encoding: FeatureEncoding, row: PropertyRow): SparseRow {
  const indices: number[] = [];
  const values: number[] = [];
  let offset = 0;
  for (const column of encoding.columns) {
    for (const { slot, value } of encodeValue(column, row[column.column]).slots) {
      if (value === 0) continue;
      indices.push(offset + slot);
      values.push(value);
    }
    offset += featureCount(column);
  }
  return { indices, values };
}

export function signedLog1p(value: number): number {
  return Math.sign(value) * Math.log1p(Math.abs(value));
}

/** Distinct quantile cut points (upper bin edges, inclusive); the last bin is open above. */
function quantileEdges(values: readonly number[], bins: number): number[] {
  if (bins < 2) return [];
  const sorted = [...values].sort((a, b) => a - b);
  const edges: number[] = [];
  for (let k = 1; k < bins; k += 1) {
    const edge = sorted[Math.min(sorted.length - 1, Math.floor((k * sorted.length) / bins))]!;
    if (edges.length === 0 || edge > edges[edges.length - 1]!) edges.push(edge);
  }
  if (edges[edges.length - 1] === sorted[sorted.length - 1]) edges.pop();
  return edges;
}

function binLabels(column: NumericColumn): string[] {
  const edges = column.binEdges;
  return [
    ...edges.map((edge, index) =>
      index === 0 ? `(-inf, ${edge}]` : `(${edges[index - 1]}, ${edge}]`,
    ),
    `(${edges[edges.length - 1] ?? '-inf'}, inf)`,
  ];
}
