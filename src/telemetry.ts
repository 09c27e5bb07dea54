/**
 * Azure Monitor (Application Insights) through the OpenTelemetry distro. The distro is heavy, so it is imported
 * only when a connection string is set: local runs and tests never load it.
 */
let started: Promise<void> | undefined;

/** Starts sending traces, metrics and logs to `connectionString`; a no-op when empty. Only the first call acts. */
export async function startTelemetry(connectionString: string): Promise<void> {
  if (!connectionString) return;
  started ??= import('@azure/monitor-opentelemetry')
    .then(({ useAzureMonitor }) => useAzureMonitor({ azureMonitorExporterOptions: { connectionString } }))
    .catch((error: unknown) => {
      started = undefined;
      throw error;
    });
  return started;
}
