// Jest runs the TypeScript sources as native ES modules (yargs 18 and p-limit 7 are ESM-only),
// so `npm test` starts node with --experimental-vm-modules. ts-jest only transpiles
// (isolatedModules); `npm run typecheck` does the type checking.
export default {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  transform: { '^.+\\.ts$': ['ts-jest', { useESM: true }] },
  testTimeout: 120000,
  maxWorkers: 2,
};
