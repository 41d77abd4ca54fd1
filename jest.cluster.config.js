/**
 * `npm run test:cluster`: the tests of test/cluster/ against the production topology (a Temporal
 * cluster from source on Postgres, four service processes; test/cluster/setup). Kept out of
 * `npm test`, which runs against the dev server; .ci/run runs both.
 */
const base = require('./jest.config.js');

/** @type {import('jest').Config} */
module.exports = {
  ...base,
  roots: ['<rootDir>/test/cluster'],
  testPathIgnorePatterns: ['/node_modules/'],
  globalSetup: '<rootDir>/test/cluster/setup/globalSetup.ts',
  globalTeardown: '<rootDir>/test/cluster/setup/globalTeardown.ts',
  testTimeout: 120000,
};
