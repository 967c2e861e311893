/**
 * The JSON HubSpot puts on the wire, derived from `@hubspot/api-client`'s generated model classes: dates are
 * ISO strings, string enums are their literal values, and `_from` (renamed by the generator because `from`
 * is a keyword in its template) is `from`. Every response the sandbox writes is typed with `Wire<Model>`, so a
 * shape change in the client's models fails `npm run typecheck` here.
 */
export type Wire<T> = T extends Date
  ? string
  : T extends string
    ? `${T}`
    : T extends number | boolean | null | undefined
      ? T
      : T extends readonly (infer U)[]
        ? Wire<U>[]
        : T extends object
          ? { [K in keyof T as K extends `_${infer Rest}` ? Rest : K]: Wire<T[K]> }
          : T;

export function iso(ms: number): string {
  return new Date(ms).toISOString();
}
