/**
 * Contact-role weights: a deal's amount is split over its contacts' journeys in proportion to a weight per
 * contact, taken from the labels of the contact's association with the deal ("Decision maker", "Champion").
 * A contact with several labels counts with the highest matching weight (one person, one share, the role
 * that matters most); a contact with no matching label gets the default. Labels match without regard to case
 * or surrounding spaces, because portal admins type them by hand.
 */

export interface ContactRoleWeights {
  readonly weights: Readonly<Record<string, number>>;
  readonly defaultWeight: number;
}

export function contactRoleWeight(
  labels: readonly string[] | null | undefined,
  roles: ContactRoleWeights,
): number {
  const byLabel = normalisedWeights(roles.weights);
  let best: number | undefined;
  for (const label of labels ?? []) {
    const weight = byLabel.get(normaliseLabel(label));
    if (weight !== undefined && (best === undefined || weight > best)) best = weight;
  }
  return best ?? roles.defaultWeight;
}

/** True when weights are configured at all (otherwise every journey weighs the same and labels are not read). */
export function usesContactRoles(roles: ContactRoleWeights): boolean {
  return Object.keys(roles.weights).length > 0;
}

function normalisedWeights(weights: Readonly<Record<string, number>>): Map<string, number> {
  return new Map(Object.entries(weights).map(([label, weight]) => [normaliseLabel(label), weight]));
}

function normaliseLabel(label: string): string {
  return label.trim().toLowerCase();
}
