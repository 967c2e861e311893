import type { TouchpointKind } from '../api/contract';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** "2 d 3 h", "4 h 12 min", "7 min", "under a minute". */
export function formatDuration(ms: number): string {
  const abs = Math.abs(ms);
  if (abs < MINUTE) return 'under a minute';
  const days = Math.floor(abs / DAY);
  const hours = Math.floor((abs % DAY) / HOUR);
  const minutes = Math.floor((abs % HOUR) / MINUTE);
  if (days > 0) return hours > 0 ? `${days} d ${hours} h` : `${days} d`;
  if (hours > 0) return minutes > 0 ? `${hours} h ${minutes} min` : `${hours} h`;
  return `${minutes} min`;
}

/** "26 Nov 2026, 14:05" in the portal's time zone. */
export function formatDateTime(epochMs: number, timeZone: string): string {
  return new Intl.DateTimeFormat('en-GB', {
    day: 'numeric',
    month: 'short',
    year: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
    timeZone,
  }).format(epochMs);
}

export function formatMoney(cents: number, currency: string): string {
  return new Intl.NumberFormat('en-US', { style: 'currency', currency }).format(cents / 100);
}

export function formatShare(share: number): string {
  return `${(share * 100).toFixed(1)} %`;
}

export function formatPoints(points: number): string {
  const rounded = Math.round(points * 10) / 10;
  return rounded > 0 ? `+${rounded}` : `${rounded}`;
}

const KIND_LABELS: Record<TouchpointKind, string> = {
  form_submission: 'Form submission',
  email_click: 'Email click',
  ad_click: 'Ad click',
  page_view_session: 'Website visit',
  event_attendance: 'Event',
  offline: 'Offline',
  sales_activity: 'Sales activity',
};

export function touchpointKindLabel(kind: TouchpointKind): string {
  return KIND_LABELS[kind];
}
