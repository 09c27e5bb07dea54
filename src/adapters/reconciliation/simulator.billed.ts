import { odata, type TableClient } from '@azure/data-tables';
import type { CatalogPort } from '../../app/ports/catalog.port.ts';
import type { MicrosoftBilledSource, SourceLine } from '../../app/ports/reconciliation.port.ts';
import { lineId, subscriptionLines, type HistoryEvent, type PriceAt } from '../../domain/billing-lines.ts';
import { dec } from '../../domain/money.ts';
import { monthRange, type MicrosoftChargeType } from '../../domain/reconciliation.ts';
import { LEDGER_PREFIX, ledgerStateSchema, type LedgerState } from '../commerce/simulator.commerce.ts';
import { corruptRow } from '../tables/table-errors.ts';

/**
 * Microsoft's side of the invoice reconciliation, locally (COMMERCE_MODE=simulator): computed from the commerce
 * simulator's own billing ledger (what Microsoft did to each subscription, whoever asked for it) with Microsoft's
 * rules (a period's fee in advance, daily-prorated seat changes and refunds) at the partner's cost, the global price
 * list's `cost`, in the customer's currency. Charge types follow Microsoft's reconciliation file: `new` for the
 * first period of a purchase, `renew` for the first period of a renewed term, `cycleCharge` for later periods,
 * `addQuantity`, `removeQuantity` and `cancelImmediate`.
 */
export interface SimulatorBilledOptions {
  catalog: Pick<CatalogPort, 'priceFor'>;
  /** The billing currency of each customer tenant (its customer's currency), read once per pull. */
  currencies: () => Promise<ReadonlyMap<string, string>>;
}

interface LedgerEvent {
  tenantId: string;
  subscriptionId: string;
  at: string;
  rowKey: string;
  state: LedgerState;
}

export function simulatorBilledSource(table: TableClient, options: SimulatorBilledOptions): MicrosoftBilledSource {
  return {
    async *pull(month) {
      const window = monthRange(month);
      const currencies = await options.currencies();
      const filter = odata`RowKey ge ${LEDGER_PREFIX} and RowKey lt ${'ledger}'}`;
      let current: LedgerEvent[] = [];
      const flush = async function* (): AsyncGenerator<SourceLine> {
        if (current.length) yield* linesOf(current, window, currencies.get(current[0]?.tenantId ?? ''), options);
        current = [];
      };
      // Rows come in partition (tenant) then row key (subscription, then time) order: one subscription at a time.
      for await (const entity of table.listEntities({ queryOptions: { filter } })) {
        const parsed = ledgerStateSchema.safeParse(JSON.parse(String(entity.state)));
        if (!parsed.success) throw corruptRow('commerce simulator ledger', String(entity.rowKey), parsed.error);
        const event: LedgerEvent = {
          tenantId: String(entity.partitionKey),
          subscriptionId: String(entity.subscriptionId),
          at: String(entity.at),
          rowKey: String(entity.rowKey),
          state: parsed.data,
        };
        const head = current[0];
        if (head && (head.tenantId !== event.tenantId || head.subscriptionId !== event.subscriptionId)) yield* flush();
        current.push(event);
      }
      yield* flush();
    },
  };
}

async function* linesOf(
  ledger: LedgerEvent[],
  window: { from: string; to: string },
  currency: string | undefined,
  options: SimulatorBilledOptions,
): AsyncGenerator<SourceLine> {
  const first = ledger[0];
  if (!first) return;
  if (!currency) return; // a tenant that is no customer of the portal
  const events: HistoryEvent[] = ledger.map((e) => ({ id: e.rowKey, at: e.at, state: e.state }));
  const costAt: PriceAt = async (productId, term, frequency, chargeDate) => {
    const price = await options.catalog.priceFor({
      customerId: 'global',
      currency,
      productId,
      term,
      frequency,
      onDate: chargeDate,
    });
    if (!price) throw new Error(`No ${currency} cost for ${productId} ${term} ${frequency} on ${chargeDate}`);
    return { unitPrice: dec(price.cost), currency, priceListId: 'microsoft', source: 'global' };
  };
  const firstTerm = first.state.termStartDate;
  const cancelledOn = new Set(ledger.filter((e) => e.state.status === 'deleted').map((e) => e.at.slice(0, 10)));
  const drafts = await subscriptionLines(
    { subscriptionId: first.subscriptionId, productName: first.state.productName, events },
    window,
    costAt,
  );
  for (const draft of drafts) {
    let chargeType: MicrosoftChargeType;
    if (draft.kind === 'cycleFee') {
      const termStart = ledger.some((e) => e.state.termStartDate === draft.periodStart);
      chargeType = !termStart ? 'cycleCharge' : draft.periodStart === firstTerm ? 'new' : 'renew';
    } else if (draft.kind === 'proRata') chargeType = 'addQuantity';
    else chargeType = cancelledOn.has(draft.chargeDate) ? 'cancelImmediate' : 'removeQuantity';
    yield {
      id: lineId('microsoft', first.subscriptionId, chargeType, draft.periodStart, draft.periodEnd, draft.id),
      customerTenantId: first.tenantId,
      subscriptionId: first.subscriptionId,
      productId: draft.productId ?? first.state.productId,
      productName: first.state.productName,
      chargeType,
      chargeStartDate: draft.chargeDate,
      chargeEndDate: draft.periodEnd,
      quantity: draft.quantity,
      unitPrice: draft.unitPrice,
      amount: draft.amount,
      currency,
      source: 'simulator',
    };
  }
}
