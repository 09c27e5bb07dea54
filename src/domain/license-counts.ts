import { z } from 'zod';

/**
 * F-REPORTS: license counts per product and month. Some are computed from the subscriptions (seats held at the
 * month's end from the change history, licenses assigned from the mirror) and are read-only; the partner enters
 * the others by hand (counts the portal cannot know, e.g. licenses sold outside it). A request that sends a
 * computed field is refused, naming the field.
 */
export const computedLicenseFields = ['productName', 'customers', 'subscriptions', 'seatsHeld', 'inUse'] as const;
export const editableLicenseFields = ['productId', 'name', 'manualCount', 'note'] as const;

const readOnly = (field: string) =>
  z.never({ error: `${field} is computed from the subscriptions and is read-only` }).optional();

export const manualLicenseCountSchema = z
  .strictObject({
    /** The product's id, or any name for a license the catalog does not hold. */
    productId: z
      .string()
      .trim()
      .min(1)
      .max(100)
      // eslint-disable-next-line no-control-regex -- control characters are what it refuses
      .regex(/^[^\u0000-\u001f]*$/, 'no control characters'),
    /** A label for a product not in the catalog. */
    name: z.string().trim().min(1).max(200).optional(),
    manualCount: z.number().int().min(0).max(100_000_000),
    note: z.string().trim().max(500).optional(),
    ...Object.fromEntries(computedLicenseFields.map((field) => [field, readOnly(field)])),
  })
  .meta({ id: 'ManualLicenseCount' });
export type ManualLicenseCount = Pick<
  z.infer<typeof manualLicenseCountSchema>,
  'productId' | 'name' | 'manualCount' | 'note'
>;

export const manualLicenseCountsBodySchema = z
  .strictObject({ counts: z.array(manualLicenseCountSchema).max(200) })
  .superRefine((body, ctx) => {
    const seen = new Set<string>();
    body.counts.forEach((count, index) => {
      if (seen.has(count.productId))
        ctx.addIssue({ code: 'custom', path: ['counts', index, 'productId'], message: 'appears twice' });
      seen.add(count.productId);
    });
  })
  .meta({ id: 'ManualLicenseCounts' });

export interface StoredLicenseCounts {
  period: string;
  counts: ManualLicenseCount[];
  updatedAt: string;
  updatedBy: string;
}

export const storedLicenseCountsSchema = z.object({
  period: z.string(),
  counts: z.array(
    z.object({
      productId: z.string(),
      name: z.string().optional(),
      manualCount: z.number().int().min(0),
      note: z.string().optional(),
    }),
  ),
  updatedAt: z.iso.datetime(),
  updatedBy: z.string(),
});

/** A month as `YYYY-MM`. */
export const periodSchema = z.string().regex(/^(20\d{2})-(0[1-9]|1[0-2])$/, 'a month: YYYY-MM');

/** The months `count` back to `period`, oldest first. */
export function monthsUpTo(period: string, count: number): string[] {
  const [year = 0, month = 1] = period.split('-').map(Number);
  return Array.from({ length: count }, (_, i) => {
    const d = new Date(Date.UTC(year, month - 1 - (count - 1 - i), 1));
    return d.toISOString().slice(0, 7);
  });
}

/** The first instant after a month (`2026-10` → 2026-11-01T00:00:00.000Z). */
export function monthEnd(period: string): string {
  const [year = 0, month = 1] = period.split('-').map(Number);
  return new Date(Date.UTC(year, month, 1)).toISOString();
}
