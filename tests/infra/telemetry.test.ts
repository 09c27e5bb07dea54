import { beforeEach, describe, expect, it, vi } from 'vitest';

const distro = vi.hoisted(() => ({ loaded: 0, useAzureMonitor: vi.fn() }));

vi.mock('@azure/monitor-opentelemetry', () => {
  distro.loaded += 1;
  return { useAzureMonitor: distro.useAzureMonitor };
});

// A fresh copy of the module for each test: it remembers whether it has started.
const load = async () => (await import('../../src/telemetry.ts')).startTelemetry;

describe('startTelemetry', () => {
  beforeEach(() => {
    vi.resetModules();
    distro.loaded = 0;
    distro.useAzureMonitor.mockReset();
  });

  it('does not load the distro without a connection string', async () => {
    await (
      await load()
    )('');
    expect(distro.loaded).toBe(0);
    expect(distro.useAzureMonitor).not.toHaveBeenCalled();
  });

  it('starts Azure Monitor once with the connection string', async () => {
    const startTelemetry = await load();
    const connectionString = 'InstrumentationKey=00000000-0000-0000-0000-000000000000';
    await Promise.all([startTelemetry(connectionString), startTelemetry(connectionString)]);
    await startTelemetry(connectionString);
    expect(distro.useAzureMonitor).toHaveBeenCalledTimes(1);
    expect(distro.useAzureMonitor).toHaveBeenCalledWith({ azureMonitorExporterOptions: { connectionString } });
  });
});
