import { z } from 'zod';
import { AppError } from '../../app/errors.ts';
import type { MicrosoftBilledSource, SourceLine } from '../../app/ports/reconciliation.port.ts';
import { lineId } from '../../domain/billing-lines.ts';
import { date } from '../../domain/calendar.ts';
import { dec } from '../../domain/money.ts';
import { microsoftChargeTypes, monthRange, type MicrosoftChargeType } from '../../domain/reconciliation.ts';
import type { GraphUsageSource, UsageLog } from '../usage/graph.usage.ts';

/**
 * Microsoft's billed line items from Microsoft Graph's partner billing reconciliation export (v1.0):
 * `POST /reports/partners/billing/reconciliation/billed/export` with `{ invoiceId, attributeSet: "full" }` answers
 * 202 with an operation to poll; its manifest lists gzip'd JSON-lines blobs of the invoice's license-based line
 * items (new commerce). Rows carry `chargeType`, `chargeStartDate`, `chargeEndDate`, `quantity`,
 * `effectiveUnitPrice` and `subtotal` (what the partner pays), `customerId` (the customer's tenant) and
 * `subscriptionId`; the end date is the last day charged (inclusive), made half-open here. Rows of other charge types (credits, conversions) are counted and left out, as are rows
 * outside the month. The export and its polling, throttling and blob reading are the usage export's.
 */
const decimalText = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;
const amount = z.union([z.number().finite(), z.string().trim().regex(decimalText)]).transform((v) => dec(v).toString());
const day = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}/)
  .transform((v) => v.slice(0, 10));

const rowSchema = z.object({
  customerId: z.string().min(1),
  subscriptionId: z.string().min(1),
  productId: z.string().min(1),
  skuId: z.string().nullish(),
  productName: z.string().nullish(),
  skuName: z.string().nullish(),
  chargeType: z.string(),
  chargeStartDate: day,
  chargeEndDate: day,
  quantity: amount,
  effectiveUnitPrice: amount.nullish(),
  unitPrice: amount.nullish(),
  subtotal: amount,
  currency: z.string().regex(/^[A-Z]{3}$/),
  invoiceNumber: z.string().nullish(),
});

/** Microsoft writes charge types in several casings (`cycleCharge`, `CycleCharge`, `Cycle charge`). */
function chargeTypeOf(value: string): MicrosoftChargeType | undefined {
  const key = value.replace(/\s+/g, '').toLowerCase();
  return microsoftChargeTypes.find((t) => t.toLowerCase() === key);
}

export function graphBilledSource(
  graph: Pick<GraphUsageSource, 'exportRows'>,
  log: UsageLog = () => undefined,
): MicrosoftBilledSource {
  return {
    async *pull(month, options) {
      if (!options?.invoiceId) {
        throw new AppError(
          'Validation',
          'REQUEST.INVALID',
          "Microsoft Graph's billed reconciliation export reads one invoice: give Microsoft's invoice id.",
          { errors: [{ path: 'invoiceId', message: 'required with COMMERCE_MODE=partnerCenter' }] },
        );
      }
      const { from, to } = monthRange(month);
      const skipped = { unreadable: 0, chargeType: 0, otherMonth: 0 };
      const rows = graph.exportRows('/reconciliation/billed/export', {
        invoiceId: options.invoiceId,
        attributeSet: 'full',
      });
      for await (const { row, blob, line } of rows) {
        const parsed = rowSchema.safeParse(row);
        if (!parsed.success) {
          skipped.unreadable += 1;
          if (skipped.unreadable <= 5) log('warn', 'unreadable reconciliation row skipped', { blob, line });
          continue;
        }
        const r = parsed.data;
        const chargeType = chargeTypeOf(r.chargeType);
        if (!chargeType) {
          skipped.chargeType += 1;
          continue;
        }
        if (r.chargeStartDate < from || r.chargeStartDate >= to) {
          skipped.otherMonth += 1;
          continue;
        }
        const productId = r.skuId ? `${r.productId}:${r.skuId}` : r.productId;
        const out: SourceLine = {
          id: lineId(
            'graph',
            options.invoiceId,
            r.subscriptionId,
            chargeType,
            r.chargeStartDate,
            r.chargeEndDate,
            r.quantity,
            r.subtotal,
          ),
          customerTenantId: r.customerId.toLowerCase(),
          subscriptionId: r.subscriptionId.toLowerCase(),
          productId,
          productName: r.skuName ?? r.productName ?? productId,
          chargeType,
          chargeStartDate: r.chargeStartDate,
          // Microsoft's end date is the period's last day; ours are half-open.
          chargeEndDate: date(r.chargeEndDate).add({ days: 1 }).toString(),
          quantity: r.quantity,
          unitPrice: r.effectiveUnitPrice ?? r.unitPrice ?? '0',
          amount: r.subtotal,
          currency: r.currency,
          invoiceId: r.invoiceNumber ?? options.invoiceId,
          source: 'graph',
        };
        yield out;
      }
      if (skipped.unreadable || skipped.chargeType || skipped.otherMonth)
        log('info', 'reconciliation export rows left out', skipped);
    },
  };
}
