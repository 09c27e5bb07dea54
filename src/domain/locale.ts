/**
 * ISO 3166-1 alpha-2 countries and ISO 4217 currencies, taken from the runtime's ICU data rather than a
 * hand-kept list. Currency decimals (2 for EUR, 0 for JPY) come from the same source.
 */
const regionNames = new Intl.DisplayNames(['en'], { type: 'region', fallback: 'none' });
/** Codes ICU names that are not countries. */
const notCountries = new Set(['ZZ', 'QO', 'EU', 'EZ', 'UN']);

export function isCountryCode(code: string): boolean {
  return /^[A-Z]{2}$/.test(code) && !notCountries.has(code) && regionNames.of(code) !== undefined;
}

const currencies = new Set(Intl.supportedValuesOf('currency'));

export function isCurrencyCode(code: string): boolean {
  return currencies.has(code);
}

const decimals = new Map<string, number>();

export function currencyDecimals(code: string): number {
  let found = decimals.get(code);
  if (found === undefined) {
    found =
      new Intl.NumberFormat('en', { style: 'currency', currency: code }).resolvedOptions().maximumFractionDigits ?? 2;
    decimals.set(code, found);
  }
  return found;
}
