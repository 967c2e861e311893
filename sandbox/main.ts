import { Command, InvalidArgumentError } from 'commander';

import { createSandbox } from './sandbox';
import { generateScenario } from './scenario';
import { playScenario } from './scenario-player';

function integer(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0)
    throw new InvalidArgumentError('expected a non-negative integer');
  return n;
}

const program = new Command('sandbox')
  .description(
    'A local HubSpot portal over HTTP: CRM, associations, owners, pipelines, campaigns, webhooks',
  )
  .option('--port <n>', 'port on 127.0.0.1 (0: any free port)', integer, 4010)
  .option('--seed <n>', 'seed of the portal and the scenario', integer, 1)
  .option('--contacts <n>', 'pre-existing contacts (no webhooks)', integer, 0)
  .option('--scenario <n>', 'play a generated quarter with this many arriving contacts', integer)
  .option(
    '--webhook-url <url>',
    'send signed webhooks here (e.g. http://127.0.0.1:3000/webhooks/hubspot)',
  )
  .option('--client-secret <secret>', 'the app secret that signs webhooks', 'sandbox-client-secret')
  .option('--token <token>', 'the bearer token the API accepts', 'sandbox-access-token')
  .option('--rate <n>', 'requests per rolling 10 s', integer, 190)
  .action(async (options) => {
    const sandbox = await createSandbox({
      port: options.port,
      seed: options.seed,
      contacts: options.contacts,
      accessToken: options.token,
      rateLimit: { perTenSeconds: options.rate },
      ...(options.webhookUrl
        ? { webhooks: { targetUrl: options.webhookUrl, clientSecret: options.clientSecret } }
        : {}),
    });
    const out = (line: string) => process.stdout.write(`${line}\n`);
    out(`HubSpot sandbox listening on ${sandbox.url}`);
    out(`  portalId ${sandbox.portalId}, appId ${sandbox.appId}, token "${sandbox.accessToken}"`);
    out(`  owners: ${sandbox.seeded.owners.map((o) => o.id).join(', ')}`);
    const stages = sandbox.seeded.pipeline.stages;
    out(
      `  deal pipeline ${sandbox.seeded.pipeline.pipelineId}: won stage ${stages.won}, lost ${stages.lost}`,
    );
    out(`  webhooks: ${options.webhookUrl ?? 'off (pass --webhook-url)'}`);
    out(
      `  admin API: ${sandbox.url}/_sandbox/state, POST /_sandbox/faults, /_sandbox/rate-limit, …`,
    );
    if (options.scenario !== undefined) {
      const scenario = generateScenario({ seed: options.seed, contacts: options.scenario });
      await playScenario(sandbox, scenario, { flushEvery: 1_000 });
      await sandbox.flush();
      const t = scenario.truth.totals;
      out(
        `  scenario played: ${scenario.timeline.length} actions, ${t.contacts} contacts, ${t.mqls} MQLs, ` +
          `${t.won} deals won (${(t.wonRevenueCents / 100).toFixed(2)} USD)`,
      );
    }
    const stop = () => void sandbox.close().then(() => process.exit(0));
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });

void program.parseAsync(process.argv);
