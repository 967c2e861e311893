import { Command } from 'commander';

import { registerAttribute } from './attribute.command';
import { registerAttributePeriod } from './attribute-period.command';
import { registerBackfill } from './backfill.command';
import { registerClosePeriod } from './close-period.command';
import { registerEvents } from './events.command';
import { registerExport } from './export.command';
import { registerHubspotProject } from './hubspot-project.command';
import { registerKeys } from './keys.command';
import { registerMigrate } from './migrate.command';
import { registerPortal } from './portal.command';
import { registerRecompute } from './recompute.command';
import { registerReplay } from './replay.command';
import { registerScore } from './score.command';
import { registerServe } from './serve.command';
import { registerSpend } from './spend.command';

/** The `truce` command line. Each command lives in its own module and registers itself here. */
export function buildProgram(): Command {
  const program = new Command('truce')
    .description('Truce: lead handoff and closed-loop revenue attribution for HubSpot')
    .showHelpAfterError();
  registerServe(program);
  registerMigrate(program);
  registerScore(program);
  registerHubspotProject(program);
  registerReplay(program);
  registerEvents(program);
  registerAttribute(program);
  registerExport(program);
  registerSpend(program);
  registerClosePeriod(program);
  registerPortal(program);
  registerKeys(program);
  registerBackfill(program);
  registerAttributePeriod(program);
  registerRecompute(program);
  return program;
}
