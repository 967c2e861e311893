const base = require('./jest.config');

/**
 * The fault tests (`npm run test:faults`): SIGKILLs, a PostgreSQL restart, HubSpot storms, a locked or full
 * SQLite file. They spawn processes and wait out retries, so they run one file at a time, apart from `npm test`.
 */
/** @type {import('jest').Config} */
module.exports = {
  ...base,
  roots: ['<rootDir>/test/faults'],
  testPathIgnorePatterns: ['/node_modules/'],
  testTimeout: 240000,
  maxWorkers: 1,
};
