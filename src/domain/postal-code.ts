/**
 * Postal code formats of the countries where a format is both fixed and well known. Any other country gets
 * only the generic check of the address schema (letters, digits, spaces, hyphens).
 */
const formats: Record<string, { pattern: RegExp; example: string }> = {
  US: { pattern: /^\d{5}(-\d{4})?$/, example: '98052 or 98052-6399' },
  // NOTE: outward code (area + district, e.g. SW1A) and inward code (sector + unit, e.g. 1AA); GIR 0AA is Girobank's.
  GB: { pattern: /^(GIR ?0AA|[A-Z]{1,2}\d[A-Z\d]? ?\d[A-Z]{2})$/i, example: 'SW1A 1AA' },
  DE: { pattern: /^\d{5}$/, example: '80807' },
  FR: { pattern: /^\d{5}$/, example: '75007' },
  // NOTE: Canada Post never uses D, F, I, O, Q or U, nor W or Z as the first letter.
  CA: { pattern: /^[ABCEGHJ-NPRSTVXY]\d[ABCEGHJ-NPRSTV-Z] ?\d[ABCEGHJ-NPRSTV-Z]\d$/i, example: 'K1A 0B1' },
};

/** Why `postalCode` is not a valid code of `country`, or undefined when it is (or the country has no known format). */
export function postalCodeProblem(country: string, postalCode: string): string | undefined {
  const format = formats[country];
  if (!format || format.pattern.test(postalCode.trim())) return undefined;
  return `not a postal code of ${country}, e.g. ${format.example}`;
}
