/**
 * The layering of src/, checked by `npm run lint` (dependency-cruiser):
 *   cli → app → transports → services → store / live → domain
 * with `wire/` (the wire schemas) and the top-level helpers (config, errors, log,
 * metrics, secrets, version) usable from the layers above the domain. `channel/`
 * (argybargy channel) sits beside the CLI and talks to a bridge over REST only.
 */
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'Import cycles make the layers meaningless; move the shared piece down a layer.',
      from: {},
      to: { circular: true },
    },
    {
      name: 'domain-is-pure',
      severity: 'error',
      comment: 'The domain holds pure rules: it imports nothing of ours but itself.',
      from: { path: '^src/domain/' },
      to: { path: '^src/', pathNot: '^src/domain/' },
    },
    {
      name: 'wire-is-standalone',
      severity: 'error',
      comment: 'The wire schemas are the contract: they import only TypeBox and each other.',
      from: { path: '^src/wire/' },
      to: { path: '^src/', pathNot: '^src/wire/' },
    },
    {
      name: 'backends-stay-below',
      severity: 'error',
      comment: 'Store and live state never reach up into services, transports, the app or the CLI.',
      from: { path: '^src/(store|live)/' },
      to: { path: '^src/(services|transports|app|cli|wire)/|^src/(errors|metrics|log)[.]ts$' },
    },
    {
      name: 'store-and-live-apart',
      severity: 'error',
      comment: 'The durable store and the ephemeral live state know nothing of each other.',
      from: { path: '^src/store/' },
      to: { path: '^src/live/' },
    },
    {
      name: 'live-and-store-apart',
      severity: 'error',
      from: { path: '^src/live/' },
      to: { path: '^src/store/' },
    },
    {
      name: 'services-below-transports',
      severity: 'error',
      comment: 'Services know nothing of how they are reached.',
      from: { path: '^src/services/' },
      to: { path: '^src/(transports|app|cli)/' },
    },
    {
      name: 'transports-through-services',
      severity: 'error',
      comment: 'Transports only encode what the services give them; they never touch the store or live state.',
      from: { path: '^src/transports/' },
      to: { path: '^src/(store|live|app|cli)/' },
    },
    {
      name: 'cli-through-app',
      severity: 'error',
      comment: 'The CLI reaches the backends only through the composition root (app/).',
      from: { path: '^src/cli/' },
      to: { path: '^src/(store|live)/' },
    },
    {
      name: 'channel-speaks-rest-only',
      severity: 'error',
      comment:
        'The channel reaches its bridge over REST only (it may run on another machine): of ours it imports the wire types and the pure domain rules, nothing else.',
      from: { path: '^src/channel/' },
      to: { path: '^src/', pathNot: '^src/(channel|wire|domain)/' },
    },
    {
      name: 'web-reads-only-wire-types',
      severity: 'error',
      comment: 'The dashboard shares types with the bridge through src/wire only.',
      from: { path: '^web/' },
      to: { path: '^src/', pathNot: '^src/wire/' },
    },
    {
      name: 'no-orphans',
      severity: 'error',
      comment: 'A module nothing imports is dead code (entry points excepted).',
      from: { orphan: true, pathNot: ['^src/cli/main[.]ts$', '[.]d[.]ts$', '^web/src/main[.]tsx$'] },
      to: {},
    },
    {
      name: 'not-to-unresolvable',
      severity: 'error',
      from: {},
      to: { couldNotResolve: true },
    },
    {
      name: 'runtime-needs-no-dev-dependencies',
      severity: 'error',
      comment: 'What the bridge runs must come from dependencies, not devDependencies.',
      from: { path: '^src/' },
      to: { dependencyTypes: ['npm-dev'], dependencyTypesNot: ['type-only'] },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^|/)(dist|node_modules)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      exportsFields: ['exports'],
      mainFields: ['module', 'main', 'types', 'typings'],
    },
    reporterOptions: { text: { highlightFocused: true } },
  },
};
