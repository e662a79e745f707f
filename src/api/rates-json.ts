/** Rates per carrier as stored (exact decimal strings, "0.985") shown as the JSON numbers the API takes them as. */
export const ratesJson = <Key extends string>(rates: Partial<Record<Key, string>>) =>
  Object.fromEntries(
    Object.entries<string | undefined>(rates).map(([carrier, value]) => [carrier, Number(value)]),
  ) as Partial<Record<Key, number>>;

/** A merchant's rates: per carrier, and its slow orders' per carrier. */
export const merchantRatesJson = ({ slow, ...fast }: { slow?: Partial<Record<string, string>> }) => ({
  ...ratesJson(fast as Partial<Record<string, string>>),
  ...(slow && { slow: ratesJson(slow) }),
});
