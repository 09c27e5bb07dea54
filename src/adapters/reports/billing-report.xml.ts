import { minorUnits, plainDecimal, type BillingReport } from '../../domain/billing-report.ts';
import { XmlWriter } from './xml-writer.ts';

export const BILLING_REPORT_NAMESPACE = 'urn:csp-portal:billing-report:1';

/** The billing report for billing systems; its schema is schemas/billing-report.xsd. */
export function billingReportXml(report: BillingReport): Uint8Array {
  const money = (value: string) => minorUnits(value, report.decimals);
  const xml = new XmlWriter();
  xml.start('billingReport', {
    xmlns: BILLING_REPORT_NAMESPACE,
    version: '1',
    currency: report.currency,
    lineCount: report.lineCount,
  });
  xml.start('partner').leaf('name', report.partnerName).leaf('taxId', report.partner.taxId).end();
  xml
    .start('customer', { id: report.customer.id })
    .leaf('name', report.customer.name)
    .leaf('tenantId', report.customer.tenantId)
    .leaf('resellerId', report.customer.resellerId)
    .end();
  xml.leaf('invoice', '', { id: report.invoice.id, issuedOn: report.invoice.issuedOn });
  xml.leaf('cycle', '', { start: report.cycle.start, end: report.cycle.end, lastDay: report.cycle.lastDay });
  for (const group of report.groups) {
    xml.start('subscription', { id: group.subscriptionId ?? undefined });
    xml.leaf('name', group.name);
    for (const line of group.lines) {
      xml
        .start('line', { id: line.id, kind: line.kind })
        .leaf('chargeDate', line.chargeDate)
        .leaf('periodStart', line.periodStart)
        .leaf('periodEnd', line.periodEnd)
        .leaf('description', line.description)
        .leaf('productId', line.productId)
        .leaf('meterId', line.meterId)
        .leaf('quantity', plainDecimal(line.quantity))
        .leaf('unitPrice', money(line.unitPrice))
        .leaf('amount', money(line.amount))
        .leaf('priceList', line.priceListId)
        .leaf('priceSource', line.priceSource)
        .leaf('originalCycle', line.originalCycle)
        .leaf('correctsLineId', line.correctsLineId)
        .end();
    }
    xml.leaf('subtotal', money(group.subtotal)).end();
  }
  for (const kind of report.byKind) xml.leaf('kindTotal', money(kind.amount), { kind: kind.kind, lines: kind.lines });
  xml.leaf('total', money(report.total));
  return xml.end().toBytes();
}
