import { billingRun } from './billing-run.ts';
const rows = await billingRun({ quick: process.argv[2] === 'quick' });
console.log(JSON.stringify(rows, null, 1));
process.exit(0);
