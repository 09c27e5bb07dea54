/**
 * The layers of docs/architecture.md as rules (DESIGN.md section 4). `npm run lint` runs
 * `depcruise src functions dev bench scripts`; tests may import anything and are not cruised.
 *
 *   src/domain        pure rules: imports nothing else of ours, no SDK, no I/O
 *   src/app/ports     interfaces the use cases need: import the domain and each other only
 *   src/app           use cases: import the domain, their own ports and each other
 *   src/http, jobs    the edges of the app: import src/app and the domain, never adapters or the composition root
 *   src/adapters      implement ports: import ports, the domain and the app's error vocabulary
 *   src/main.ts       composition root: the only file of src/ that imports adapters
 *   functions/ dev/ bench/ scripts/   entry points: may import anything under src/
 */

/** Entry points and tests: the only places besides the composition root that may wire adapters. */
const EDGES = '^(functions|dev|bench|scripts|tests)/';
/** Azure and Microsoft SDKs (the Functions programming model's types are allowed in src/http). */
const SDK = '^node_modules/(@azure|@microsoft|@opentelemetry)/';
/** What an adapter may use of the application layer besides the ports: the errors its port contracts throw. */
const APP_SHARED_WITH_ADAPTERS =
  '^src/app/(ports/|errors\\.ts$|commerce-errors\\.ts$|directory-errors\\.ts$|offset-page\\.ts$)';

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment:
        'An import circle makes load order matter and hides which module owns what. Break it with a port or a parameter.',
      from: {},
      to: { circular: true },
    },
    {
      name: 'not-to-unresolvable',
      severity: 'error',
      comment: 'An import that resolves to nothing fails at run time.',
      from: {},
      to: { couldNotResolve: true },
    },
    {
      name: 'domain-imports-only-domain',
      severity: 'error',
      comment: 'src/domain holds pure rules: it imports nothing else of ours.',
      from: { path: '^src/domain/' },
      to: { path: '^(src/(?!domain/)|functions/|dev/|bench/|scripts/|tests/)' },
    },
    {
      name: 'domain-no-sdk-no-io',
      severity: 'error',
      comment: 'src/domain has no I/O and no Azure or Microsoft SDK: those belong to adapters.',
      from: { path: '^src/domain/' },
      to: {
        path: [
          SDK,
          '^node_modules/(exceljs|jose|csv-parse|csv-stringify|image-size|croner)/',
          '^(node:)?(fs|fs/promises|net|http|https|http2|child_process|worker_threads|dgram|dns|tls)$',
        ],
      },
    },
    {
      name: 'app-imports-domain-and-ports',
      severity: 'error',
      comment:
        'src/app imports the domain, its ports and its own modules; never adapters, the HTTP or job edges, the composition root or entry points.',
      from: { path: '^src/app/' },
      to: { path: ['^src/(adapters|http|jobs)/', '^src/(main|telemetry)\\.ts$', EDGES] },
    },
    {
      name: 'app-no-sdk',
      severity: 'error',
      comment:
        'Use cases depend on ports, not SDKs: an SDK is an adapter concern (and loading it eagerly costs cold start).',
      from: { path: '^src/app/' },
      to: { path: [SDK, '^node_modules/(exceljs|jose|csv-parse|csv-stringify)/'] },
    },
    {
      name: 'use-cases-declare-their-ports',
      severity: 'error',
      comment:
        'A use case declares the ports it needs in its own folder (e.g. src/app/billing/deps.ts), not the whole Services bag: only the edges take Services.',
      from: { path: '^src/app/', pathNot: '^src/app/services\\.ts$' },
      to: { path: '^src/app/services\\.ts$' },
    },
    {
      name: 'ports-import-only-domain-and-ports',
      severity: 'error',
      comment:
        'A port is an interface in domain words: it may name domain types and other ports, nothing of the use cases.',
      from: { path: '^src/app/ports/' },
      to: { path: '^src/(?!domain/|app/ports/)' },
    },
    {
      name: 'config-types-only-inside',
      severity: 'error',
      comment:
        'src/config.ts reads the environment; inside the app and its edges only its type may be named (settings arrive through Services).',
      from: { path: '^src/(app|http|jobs)/' },
      to: { path: '^src/config\\.ts$', dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'edges-import-app-and-domain',
      severity: 'error',
      comment:
        'src/http and src/jobs import src/app and the domain, never adapters, the composition root or entry points.',
      from: { path: '^src/(http|jobs)/' },
      to: { path: ['^src/adapters/', '^src/(main|telemetry)\\.ts$', EDGES] },
    },
    {
      name: 'jobs-not-to-http',
      severity: 'error',
      comment: 'The job table does not depend on the HTTP edge (shared types live in src/app/ports).',
      from: { path: '^src/jobs/' },
      to: { path: '^src/http/' },
    },
    {
      name: 'edges-no-sdk',
      severity: 'error',
      comment:
        'src/http and src/jobs use ports, not SDKs; only the Functions programming model (@azure/functions) is theirs.',
      from: { path: '^src/(http|jobs)/' },
      to: { path: SDK, pathNot: '^node_modules/@azure/functions/' },
    },
    {
      name: 'adapters-implement-ports',
      severity: 'error',
      comment:
        "An adapter implements a port: it imports ports, the domain, the app's error vocabulary and other adapters, never use cases, edges or the composition root.",
      from: { path: '^src/adapters/' },
      to: { path: ['^src/(app|http|jobs)/', '^src/(main|telemetry)\\.ts$', EDGES], pathNot: APP_SHARED_WITH_ADAPTERS },
    },
    {
      name: 'only-composition-root-imports-adapters',
      severity: 'error',
      comment:
        'Adapters are wired in src/main.ts (and by the entry points functions/, dev/, bench/, scripts/ and tests).',
      from: { pathNot: ['^src/adapters/', '^src/main\\.ts$', EDGES] },
      to: { path: '^src/adapters/' },
    },
    {
      name: 'only-entry-points-import-composition-root',
      severity: 'error',
      comment: 'Nothing under src/ imports the composition root: it imports them.',
      from: { path: '^src/' },
      to: { path: '^src/main\\.ts$' },
    },
    {
      name: 'src-not-to-entry-points',
      severity: 'error',
      comment: 'The product does not import its entry points, benchmarks or tests.',
      from: { path: '^src/' },
      to: { path: EDGES },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(node_modules|dist|dist-unbundled|portal|coverage|\\.data)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      mainFields: ['module', 'main', 'types', 'typings'],
    },
    reporterOptions: { text: { highlightFocused: true } },
  },
};
