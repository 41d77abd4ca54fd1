/** @type {import('jest').Config} */
module.exports = {
  preset: 'ts-jest',
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  // test/cluster/ runs against a Temporal cluster: `npm run test:cluster` (jest.cluster.config.js).
  testPathIgnorePatterns: ['/node_modules/', '<rootDir>/test/cluster/'],
  globalSetup: '<rootDir>/test/setup/globalSetup.ts',
  globalTeardown: '<rootDir>/test/setup/globalTeardown.ts',
  setupFilesAfterEnv: ['<rootDir>/test/setup/quietTemporalRuntime.ts'],
  testTimeout: 60000,
  // Once in a while a full run finished (every file done, the dev server and database gone) and
  // the process stayed: no libuv handle left (process.getActiveResourcesInfo() was empty), only a
  // Temporal Core runtime's native threads, from a file whose runtime outlived its hooks. A CI run
  // must end when its tests do; results and globalTeardown are unaffected.
  forceExit: true,
  transform: { '^.+\\.ts$': ['ts-jest', {}] },
};
