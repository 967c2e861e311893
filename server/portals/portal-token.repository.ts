import type { Kysely, Transaction } from 'kysely';

import type { Database, PortalTokenTable } from '../db/schema';

type Db = Kysely<Database> | Transaction<Database>;

export type PortalTokenRow = PortalTokenTable;

export interface SealedTokens {
  readonly keyId: string;
  readonly refreshTokenSealed: string;
  readonly accessTokenSealed: string;
  readonly accessExpiresAt: number;
}

/** Registers (or re-activates) an OAuth portal and stores its sealed tokens, in the caller's transaction. */
export async function saveInstalledPortal(
  db: Db,
  install: SealedTokens & {
    portalId: number;
    scopes: readonly string[];
    hubDomain: string | null;
    installedBy: string | null;
  },
  now: number,
): Promise<void> {
  await db
    .insertInto('portal')
    .values({
      portal_id: install.portalId,
      name: install.hubDomain,
      auth_type: 'oauth',
      status: 'active',
      created_at: now,
      updated_at: now,
      deactivated_at: null,
      status_reason: null,
    })
    .onConflict((oc) =>
      oc.column('portal_id').doUpdateSet({
        name: install.hubDomain,
        auth_type: 'oauth',
        status: 'active',
        deactivated_at: null,
        status_reason: null,
        updated_at: now,
      }),
    )
    .execute();
  const tokenColumns = {
    key_id: install.keyId,
    refresh_token_sealed: install.refreshTokenSealed,
    access_token_sealed: install.accessTokenSealed,
    access_expires_at: install.accessExpiresAt,
    scopes: install.scopes.join(' '),
    hub_domain: install.hubDomain,
    installed_by: install.installedBy,
    refresh_lease_until: null,
    refresh_lease_owner: null,
    updated_at: now,
  };
  await db
    .insertInto('portal_token')
    .values({ portal_id: install.portalId, created_at: now, ...tokenColumns })
    .onConflict((oc) => oc.column('portal_id').doUpdateSet(tokenColumns))
    .execute();
}

export async function findPortalToken(
  db: Db,
  portalId: number,
): Promise<(PortalTokenRow & { status: string }) | undefined> {
  return db
    .selectFrom('portal_token')
    .innerJoin('portal', 'portal.portal_id', 'portal_token.portal_id')
    .selectAll('portal_token')
    .select('portal.status')
    .where('portal_token.portal_id', '=', portalId)
    .executeTakeFirst();
}

/**
 * Takes the portal's refresh lease if nobody holds a live one and the token is still the one the caller saw
 * expiring. One conditional UPDATE, so of several replicas racing for an expiring token exactly one wins; a
 * replica that read the row just before another finished refreshing finds the token changed and uses the new
 * one instead of refreshing again.
 */
export async function tryLeaseRefresh(
  db: Db,
  portalId: number,
  owner: string,
  now: number,
  leaseMs: number,
  seenExpiresAt: number,
): Promise<boolean> {
  const result = await db
    .updateTable('portal_token')
    .set({ refresh_lease_until: now + leaseMs, refresh_lease_owner: owner })
    .where('portal_id', '=', portalId)
    .where('access_expires_at', '=', seenExpiresAt)
    .where((eb) =>
      eb.or([eb('refresh_lease_until', 'is', null), eb('refresh_lease_until', '<=', now)]),
    )
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/** Stores a refreshed token and releases the lease, only if this owner still holds it. */
export async function completeRefresh(
  db: Db,
  portalId: number,
  owner: string,
  tokens: SealedTokens,
  now: number,
): Promise<boolean> {
  const result = await db
    .updateTable('portal_token')
    .set({
      key_id: tokens.keyId,
      refresh_token_sealed: tokens.refreshTokenSealed,
      access_token_sealed: tokens.accessTokenSealed,
      access_expires_at: tokens.accessExpiresAt,
      refresh_lease_until: null,
      refresh_lease_owner: null,
      updated_at: now,
    })
    .where('portal_id', '=', portalId)
    .where('refresh_lease_owner', '=', owner)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

export async function releaseRefreshLease(db: Db, portalId: number, owner: string): Promise<void> {
  await db
    .updateTable('portal_token')
    .set({ refresh_lease_until: null, refresh_lease_owner: null })
    .where('portal_id', '=', portalId)
    .where('refresh_lease_owner', '=', owner)
    .execute();
}

/**
 * Marks the stored access token expired (HubSpot answered 401 to it), only if it is still the one that
 * expires at `expiresAt`: a newer token another process stored meanwhile stays.
 */
export async function expireAccessToken(
  db: Db,
  portalId: number,
  expiresAt: number,
): Promise<void> {
  await db
    .updateTable('portal_token')
    .set({ access_expires_at: 0 })
    .where('portal_id', '=', portalId)
    .where('access_expires_at', '=', expiresAt)
    .execute();
}

/** Every sealed row, for `truce keys rotate`. */
export async function listSealedTokens(
  db: Db,
): Promise<
  Pick<PortalTokenRow, 'portal_id' | 'key_id' | 'refresh_token_sealed' | 'access_token_sealed'>[]
> {
  return db
    .selectFrom('portal_token')
    .select(['portal_id', 'key_id', 'refresh_token_sealed', 'access_token_sealed'])
    .orderBy('portal_id')
    .execute();
}

/** Re-seals one row, only if it still holds what was read (a refresh in between wins; rotate again later). */
export async function resealTokens(
  db: Db,
  portalId: number,
  previous: { refreshTokenSealed: string; accessTokenSealed: string },
  next: { keyId: string; refreshTokenSealed: string; accessTokenSealed: string },
): Promise<boolean> {
  const result = await db
    .updateTable('portal_token')
    .set({
      key_id: next.keyId,
      refresh_token_sealed: next.refreshTokenSealed,
      access_token_sealed: next.accessTokenSealed,
    })
    .where('portal_id', '=', portalId)
    .where('refresh_token_sealed', '=', previous.refreshTokenSealed)
    .where('access_token_sealed', '=', previous.accessTokenSealed)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}
