import type { ReportRenderers } from '../../app/ports/report-renderers.port.ts';

/**
 * The report writers behind `ReportRenderers`. Each writer module (exceljs above all) is imported on first use, so
 * composing the app does not load it.
 */
export const reportRenderers: ReportRenderers = {
  billing: {
    csv: async (report) => (await import('./billing-report.csv.ts')).billingReportCsv(report),
    xml: async (report) => (await import('./billing-report.xml.ts')).billingReportXml(report),
    xlsx: async (report, out, options = {}) =>
      (await import('./billing-report.xlsx.ts')).writeBillingReportXlsx(report, out, options),
  },
  provider: {
    subscriptionUsageXlsx: async (input, out) =>
      (await import('./provider-reports.xlsx.ts')).writeSubscriptionUsageXlsx(input, out),
    licenseReportXml: async (input) => (await import('./provider-reports.xml.ts')).licenseReportXml(input),
    allocationReportXml: async (input) => (await import('./provider-reports.xml.ts')).allocationReportXml(input),
  },
};
