/**
 * Shapley values over the channel sets of journeys.
 *
 * Set-based (Zhao et al. 2018): in the game v(S) = conversions (or value) of the journeys whose channel
 * set lies within S, the Shapley value has a closed form: each journey's conversions and value split
 * equally over its distinct channels. Any number of channels; folded one journey at a time.
 *
 * Conversion rate: v(S) = conversions / journeys among the journeys whose channel set lies within S, which
 * uses the non-converting journeys too. It has no closed form, so it is computed exactly over all 2^n
 * coalitions, up to `MAX_EXACT_PLAYERS` channels; beyond that it refuses rather than approximate.
 */

export class SetShapleyAccumulator {
  readonly conversions: number[] = [];
  readonly value: number[] = [];
  private readonly seen: number[] = [];
  private stamp = 0;

  /** Adds one journey of channel ids (first `length` entries; repeats allowed). */
  add(channels: ArrayLike<number>, length: number, conversions: number, value: number): void {
    if (length === 0 || (conversions === 0 && value === 0)) return;
    this.stamp += 1;
    let distinct = 0;
    for (let i = 0; i < length; i += 1) {
      const channel = channels[i] as number;
      while (this.seen.length <= channel) {
        this.seen.push(0);
        this.conversions.push(0);
        this.value.push(0);
      }
      if (this.seen[channel] !== this.stamp) {
        this.seen[channel] = this.stamp;
        distinct += 1;
      }
    }
    this.stamp += 1;
    for (let i = 0; i < length; i += 1) {
      const channel = channels[i] as number;
      if (this.seen[channel] === this.stamp) continue;
      this.seen[channel] = this.stamp;
      this.conversions[channel] = (this.conversions[channel] as number) + conversions / distinct;
      this.value[channel] = (this.value[channel] as number) + value / distinct;
    }
  }

  /** Credits indexed by channel id, `channelCount` long. */
  credits(channelCount: number): Array<{ conversions: number; value: number }> {
    return Array.from({ length: channelCount }, (_, channel) => ({
      conversions: this.conversions[channel] ?? 0,
      value: this.value[channel] ?? 0,
    }));
  }
}

export const MAX_EXACT_PLAYERS = 20;

export class ShapleyLimitError extends RangeError {
  constructor(readonly players: number) {
    super(
      `the conversion-rate Shapley game is exact over 2^n coalitions up to ${MAX_EXACT_PLAYERS} channels; ` +
        `this data has ${players}`,
    );
    this.name = 'ShapleyLimitError';
  }
}

/** Journeys folded by channel set (a bit mask over channel ids). */
export class RateShapleyAccumulator {
  private readonly sets = new Map<number, [number, number, number]>();
  private maxChannel = -1;

  add(
    channels: ArrayLike<number>,
    length: number,
    conversions: number,
    value: number,
    nulls: number,
  ): void {
    if (length === 0 || conversions + nulls === 0) return;
    let mask = 0;
    for (let i = 0; i < length; i += 1) {
      const channel = channels[i] as number;
      if (channel > this.maxChannel) this.maxChannel = channel;
      // Past the exact limit the game is refused anyway; stop building masks that would overflow.
      if (channel < MAX_EXACT_PLAYERS) mask |= 1 << channel;
    }
    if (this.maxChannel >= MAX_EXACT_PLAYERS) return;
    const entry = this.sets.get(mask);
    if (entry) {
      entry[0] += conversions;
      entry[1] += conversions + nulls;
      entry[2] += value;
    } else {
      this.sets.set(mask, [conversions, conversions + nulls, value]);
    }
  }

  /**
   * Shapley values of the conversion-rate and value-per-journey games, rescaled so conversions add up to
   * the total conversions and value to the total value (Σ φ = v(N)). A channel whose presence lowers the
   * rate can get a negative credit.
   */
  credits(channelCount: number): Array<{ conversions: number; value: number }> {
    const n = channelCount;
    if (n > MAX_EXACT_PLAYERS) throw new ShapleyLimitError(n);
    const size = 1 << n;
    const conversions = new Float64Array(size);
    const journeys = new Float64Array(size);
    const value = new Float64Array(size);
    let totalConversions = 0;
    let totalValue = 0;
    for (const [mask, [c, j, v]] of this.sets) {
      conversions[mask] = (conversions[mask] as number) + c;
      journeys[mask] = (journeys[mask] as number) + j;
      value[mask] = (value[mask] as number) + v;
      totalConversions += c;
      totalValue += v;
    }
    // Sum over subsets (zeta transform): afterwards f[S] = Σ_{T ⊆ S} f[T].
    for (let bit = 1; bit < size; bit <<= 1) {
      for (let mask = 0; mask < size; mask += 1) {
        if (mask & bit) {
          conversions[mask] = (conversions[mask] as number) + (conversions[mask ^ bit] as number);
          journeys[mask] = (journeys[mask] as number) + (journeys[mask ^ bit] as number);
          value[mask] = (value[mask] as number) + (value[mask ^ bit] as number);
        }
      }
    }
    const rate = new Float64Array(size);
    const valueRate = new Float64Array(size);
    for (let mask = 0; mask < size; mask += 1) {
      const j = journeys[mask] as number;
      rate[mask] = j > 0 ? (conversions[mask] as number) / j : 0;
      valueRate[mask] = j > 0 ? (value[mask] as number) / j : 0;
    }
    // weight[s] = s! (n − s − 1)! / n!, the chance a player joins right after a given coalition of size s.
    const weight = new Float64Array(Math.max(n, 1));
    for (let s = 0; s < n; s += 1) weight[s] = 1 / (n * binomial(n - 1, s));
    const phi = new Float64Array(n);
    const phiValue = new Float64Array(n);
    const popcount = new Uint8Array(size);
    for (let mask = 1; mask < size; mask += 1)
      popcount[mask] = (popcount[mask >> 1] as number) + (mask & 1);
    for (let mask = 0; mask < size; mask += 1) {
      const w = weight[popcount[mask] as number] as number;
      for (let i = 0; i < n; i += 1) {
        const bit = 1 << i;
        if (mask & bit) continue;
        phi[i] = (phi[i] as number) + w * ((rate[mask | bit] as number) - (rate[mask] as number));
        phiValue[i] =
          (phiValue[i] as number) +
          w * ((valueRate[mask | bit] as number) - (valueRate[mask] as number));
      }
    }
    const full = size - 1;
    const grand = rate[full] as number;
    const grandValue = valueRate[full] as number;
    return Array.from({ length: n }, (_, i) => ({
      conversions: grand > 0 ? ((phi[i] as number) / grand) * totalConversions : 0,
      value: grandValue > 0 ? ((phiValue[i] as number) / grandValue) * totalValue : 0,
    }));
  }
}

function binomial(n: number, k: number): number {
  let result = 1;
  for (let i = 1; i <= k; i += 1) result = (result * (n - k + i)) / i;
  return result;
}
