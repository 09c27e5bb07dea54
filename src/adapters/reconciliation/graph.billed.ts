import { AppError } from '../../app/errors.ts';
import type { MicrosoftBilledSource } from '../../app/ports/reconciliation.port.ts';
import { monthRange } from '../../domain/reconciliation.ts';
import { billedLine, noneSkipped } from './billed-row.ts';
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
      const skipped = noneSkipped();
      const rows = graph.exportRows('/reconciliation/billed/export', {
        invoiceId: options.invoiceId,
        attributeSet: 'full',
      });
      for await (const { row, blob, line } of rows) {
        const out = billedLine(row, { from, to }, 'graph', options.invoiceId);
        if (typeof out === 'string') {
          skipped[out] += 1;
          if (out === 'unreadable' && skipped.unreadable <= 5)
            log('warn', 'unreadable reconciliation row skipped', { blob, line });
          continue;
        }
        yield out;
      }
      if (skipped.unreadable || skipped.chargeType || skipped.otherMonth)
        log('info', 'reconciliation export rows left out', skipped);
    },
  };
}
