import type { CrmRecord } from './crm-types';

export interface SearchFilter {
  readonly propertyName: string;
  readonly operator: string;
  readonly value?: string | number | boolean;
  readonly values?: ReadonlyArray<string | number>;
  readonly highValue?: string | number;
}

export interface SearchSort {
  readonly propertyName: string;
  readonly direction: 'ASCENDING' | 'DESCENDING';
}

export const SEARCH_LIMITS = {
  maxPageSize: 200,
  maxResults: 10_000,
  maxFilterGroups: 5,
  maxFiltersPerGroup: 6,
  maxFilters: 18,
} as const;

const OPERATORS = new Set([
  'EQ',
  'NEQ',
  'LT',
  'LTE',
  'GT',
  'GTE',
  'BETWEEN',
  'IN',
  'NOT_IN',
  'HAS_PROPERTY',
  'NOT_HAS_PROPERTY',
  'CONTAINS_TOKEN',
  'NOT_CONTAINS_TOKEN',
]);

export function isKnownOperator(operator: string): boolean {
  return OPERATORS.has(operator);
}

/** Numbers, ISO dates and epoch milliseconds compare as numbers (HubSpot accepts either for dates). */
function comparable(raw: string | number | boolean): number | string {
  const text = String(raw);
  if (/^-?\d+(\.\d+)?$/.test(text)) return Number(text);
  if (/^\d{4}-\d{2}-\d{2}/.test(text)) {
    const ms = Date.parse(text);
    if (!Number.isNaN(ms)) return ms;
  }
  return text.toLowerCase();
}

function compare(a: string | number | boolean, b: string | number | boolean): number {
  const x = comparable(a);
  const y = comparable(b);
  if (typeof x === 'number' && typeof y === 'number') return x - y;
  return String(x).localeCompare(String(y));
}

/** HubSpot tokenises on anything that is not a letter or digit; a `*` in the token is a wildcard. */
function tokenMatches(value: string, token: string): boolean {
  const pattern = new RegExp(
    `^${token
      .toLowerCase()
      .replace(/[.+?^${}()|[\]\\]/g, '\\$&')
      .replace(/\*/g, '.*')}$`,
  );
  return value
    .toLowerCase()
    .split(/[^\p{L}\p{N}]+/u)
    .concat(value.toLowerCase())
    .some((part) => pattern.test(part));
}

export function matchesFilter(record: CrmRecord, filter: SearchFilter): boolean {
  const actual = record.properties[filter.propertyName];
  const has = actual !== undefined && actual !== '';
  const value = filter.value ?? '';
  switch (filter.operator) {
    case 'HAS_PROPERTY':
      return has;
    case 'NOT_HAS_PROPERTY':
      return !has;
    case 'NEQ':
      return !has || compare(actual, value) !== 0;
    case 'NOT_IN':
      return !has || !(filter.values ?? []).some((v) => compare(actual, v) === 0);
    case 'NOT_CONTAINS_TOKEN':
      return !has || !tokenMatches(actual, String(value));
  }
  if (!has) return false;
  switch (filter.operator) {
    case 'EQ':
      return compare(actual, value) === 0;
    case 'LT':
      return compare(actual, value) < 0;
    case 'LTE':
      return compare(actual, value) <= 0;
    case 'GT':
      return compare(actual, value) > 0;
    case 'GTE':
      return compare(actual, value) >= 0;
    case 'BETWEEN':
      return compare(actual, value) >= 0 && compare(actual, filter.highValue ?? '') <= 0;
    case 'IN':
      return (filter.values ?? []).some((v) => compare(actual, v) === 0);
    case 'CONTAINS_TOKEN':
      return tokenMatches(actual, String(value));
    default:
      return false;
  }
}

/** Filter groups are ORed, the filters inside a group ANDed; no groups matches everything. */
export function matchesGroups(
  record: CrmRecord,
  groups: ReadonlyArray<{ readonly filters: readonly SearchFilter[] }>,
): boolean {
  if (groups.length === 0) return true;
  return groups.some((group) => group.filters.every((filter) => matchesFilter(record, filter)));
}

const QUERY_PROPERTIES = [
  'email',
  'firstname',
  'lastname',
  'company',
  'name',
  'domain',
  'dealname',
];

/** The free-text `query`: a prefix match on a record's default searchable properties. */
export function matchesQuery(record: CrmRecord, query: string | undefined): boolean {
  if (!query) return true;
  const needle = query.toLowerCase();
  return QUERY_PROPERTIES.some((name) =>
    (record.properties[name] ?? '')
      .toLowerCase()
      .split(/[\s@.]+/)
      .concat((record.properties[name] ?? '').toLowerCase())
      .some((part) => part.startsWith(needle)),
  );
}

/** `sorts` arrive as objects, or as strings (`"createdate"`, `"-createdate"`) from the typed client. */
export function parseSorts(raw: unknown): SearchSort[] {
  if (!Array.isArray(raw)) return [];
  return raw.flatMap((item): SearchSort[] => {
    if (typeof item === 'string') {
      return item.startsWith('-')
        ? [{ propertyName: item.slice(1), direction: 'DESCENDING' }]
        : [{ propertyName: item, direction: 'ASCENDING' }];
    }
    if (item && typeof item === 'object' && 'propertyName' in item) {
      const sort = item as { propertyName: unknown; direction?: unknown };
      return [
        {
          propertyName: String(sort.propertyName),
          direction: sort.direction === 'DESCENDING' ? 'DESCENDING' : 'ASCENDING',
        },
      ];
    }
    return [];
  });
}

/** Sorted copy; records without the property sort last, ties break on id so paging is stable. */
export function sortRecords(records: CrmRecord[], sorts: readonly SearchSort[]): CrmRecord[] {
  return [...records].sort((a, b) => {
    for (const sort of sorts) {
      const x = a.properties[sort.propertyName];
      const y = b.properties[sort.propertyName];
      if (!x && !y) continue;
      if (!x) return 1;
      if (!y) return -1;
      const order = compare(x, y) * (sort.direction === 'DESCENDING' ? -1 : 1);
      if (order !== 0) return order;
    }
    return Number(a.id) - Number(b.id);
  });
}
