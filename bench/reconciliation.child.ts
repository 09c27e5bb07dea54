import { performance } from 'node:perf_hooks';
import { reconcileMonth } from '../src/app/reconciliation/reconcile.ts';
import { loadConfig } from '../src/config.ts';
import { createServices } from '../src/main.ts';

/**
 * The measured part of bench/reconciliation.ts, in its own process: one month's reconciliation of every customer
 * (Microsoft's lines already imported), with its workbook. Samples its own RSS every 20 ms; prints one JSON line.
 */
const month = process.argv[2] ?? '';
let peak = process.memoryUsage.rss();
const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage.rss())), 20);
const services = await createServices(loadConfig(process.env));
const started = performance.now();
const result = await reconcileMonth(services, month);
clearInterval(sampler);
peak = Math.max(peak, process.memoryUsage.rss());
console.log(
  JSON.stringify({
    seconds: (performance.now() - started) / 1000,
    peakRssMb: peak / 2 ** 20,
    customers: result.customers,
    mismatches: result.mismatches,
  }),
);
process.exit(0);
