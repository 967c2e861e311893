import type { CardUser } from '../api/contract';

/**
 * The rep viewing the card, from HubSpot's `context.user`, as the card names them to the service: the user id
 * and a display name (first and last name, else the e-mail address, else none).
 */
export function cardUserOf(
  user: { id?: number | string; firstName?: string; lastName?: string; email?: string } | undefined,
): CardUser | undefined {
  if (user?.id === undefined || user.id === null || String(user.id) === '') return undefined;
  const fullName = [user.firstName, user.lastName]
    .map((part) => part?.trim())
    .filter(Boolean)
    .join(' ');
  return { id: String(user.id), name: fullName || user.email?.trim() || null };
}
