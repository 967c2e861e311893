import type { HeaderBag } from './webhook-signature';

export interface PublicUrlSource {
  /** PUBLIC_BASE_URL without a trailing slash; wins over any header. */
  readonly publicBaseUrl: string | undefined;
  /** Believe X-Forwarded-Proto/Host (only behind a proxy that overwrites them). */
  readonly trustProxyHeaders: boolean;
  readonly headers: HeaderBag;
  /** Path and query exactly as received (`req.originalUrl`). */
  readonly originalUrl: string;
  /** Whether this hop arrived over TLS. */
  readonly encrypted: boolean;
}

/**
 * The URL HubSpot called, which is what it signed. Behind a proxy the service sees its own host and scheme,
 * so the public one must come from configuration, or from proxy headers when the operator says they are
 * trustworthy; otherwise the Host header of the request.
 */
export function publicRequestUrl(source: PublicUrlSource): string {
  if (source.publicBaseUrl) return `${source.publicBaseUrl}${source.originalUrl}`;
  const host = first(source.headers.host);
  if (source.trustProxyHeaders) {
    const proto =
      first(source.headers['x-forwarded-proto']) ?? (source.encrypted ? 'https' : 'http');
    const forwardedHost = first(source.headers['x-forwarded-host']) ?? host ?? '';
    return `${proto}://${forwardedHost}${source.originalUrl}`;
  }
  return `${source.encrypted ? 'https' : 'http'}://${host ?? ''}${source.originalUrl}`;
}

// Proxies append to these headers; the leftmost value is what the client (HubSpot) used.
function first(value: string | readonly string[] | undefined): string | undefined {
  const raw = Array.isArray(value) ? value[0] : value;
  if (typeof raw !== 'string') return undefined;
  const leftmost = raw.split(',')[0]?.trim();
  return leftmost ? leftmost : undefined;
}
