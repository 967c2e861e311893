// The one-command demo arrives with the HubSpot sandbox (see the issue tracker); until then say so plainly.
process.stdout.write(
  'npm run demo: not yet available. It needs the local HubSpot sandbox, which is not built yet.\n' +
    'Meanwhile: `npm start` runs the service and `npm test` runs the suite.\n',
);
