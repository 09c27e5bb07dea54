import type { CustomerMonth, ProductMonth, ResellerGroup } from '../../app/ports/report-renderers.port.ts';
import { XmlWriter } from './xml-writer.ts';

/** schemas/license-report.xsd: per product, computed counts beside the manual ones. */
export function licenseReportXml(input: { period: string; partnerName: string; products: ProductMonth[] }): Uint8Array {
  const xml = new XmlWriter();
  xml.start('licenseReport', { xmlns: 'urn:csp-portal:license-report:1', version: '1', period: input.period });
  xml.start('partner').leaf('name', input.partnerName).end();
  let seats = 0;
  let inUse = 0;
  let manual = 0;
  for (const p of input.products) {
    seats += p.seatsHeld;
    inUse += p.inUse ?? 0;
    manual += p.manualCount ?? 0;
    xml
      .start('product', { id: p.productId })
      .leaf('name', p.productName)
      .leaf('customers', p.customers)
      .leaf('subscriptions', p.subscriptions)
      .leaf('seatsHeld', p.seatsHeld)
      .leaf('inUse', p.inUse ?? undefined)
      .leaf('manualCount', p.manualCount ?? undefined)
      .leaf('note', p.note)
      .end();
  }
  xml.leaf('totals', '', { products: input.products.length, seatsHeld: seats, inUse, manualCount: manual });
  return xml.end().toBytes();
}

/** schemas/allocation-report.xsd: per customer, bundles allocated and used, grouped by reseller. */
export function allocationReportXml(input: {
  period: string;
  partnerName: string;
  groups: ResellerGroup[];
}): Uint8Array {
  const xml = new XmlWriter();
  xml.start('allocationReport', { xmlns: 'urn:csp-portal:allocation-report:1', version: '1', period: input.period });
  xml.start('partner').leaf('name', input.partnerName).end();
  const all = { customers: 0, allocated: 0, used: 0 };
  const customer = (row: CustomerMonth) => {
    const totals = { allocated: 0, used: 0 };
    xml
      .start('customer', { id: row.customer.id })
      .leaf('name', row.customer.name)
      .leaf('tenantId', row.customer.tenantId)
      .leaf('currency', row.customer.currency);
    for (const p of row.products) {
      totals.allocated += p.allocated;
      totals.used += p.used ?? 0;
      xml
        .start('bundle', { productId: p.productId })
        .leaf('name', p.productName)
        .leaf('subscriptions', p.subscriptions)
        .leaf('allocated', p.allocated)
        .leaf('used', p.used ?? undefined)
        .end();
    }
    xml.leaf('totals', '', totals).end();
    return totals;
  };
  const group = (rows: CustomerMonth[]) => {
    const totals = { customers: rows.length, allocated: 0, used: 0 };
    for (const row of rows) {
      const t = customer(row);
      totals.allocated += t.allocated;
      totals.used += t.used;
    }
    xml.leaf('totals', '', totals);
    all.customers += totals.customers;
    all.allocated += totals.allocated;
    all.used += totals.used;
  };
  for (const g of input.groups) {
    if (!g.reseller) continue;
    xml
      .start('reseller', { id: g.reseller.id })
      .leaf('name', g.reseller.name)
      .leaf('contactEmail', g.reseller.contactEmail);
    group(g.customers);
    xml.end();
  }
  xml.start('direct');
  group(input.groups.find((g) => !g.reseller)?.customers ?? []);
  xml.end();
  xml.leaf('totals', '', all);
  return xml.end().toBytes();
}
