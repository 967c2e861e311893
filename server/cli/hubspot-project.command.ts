import { type Command, Option } from 'commander';

import {
  type AuthMode,
  type Distribution,
  parsePublicUrl,
  type PublicUrl,
  PublicUrlError,
} from '../hubspot-project/project-files';
import { currentAuthMode, writeProjectFiles } from '../hubspot-project/write-project';
import { EXIT_USAGE } from './runtime';

interface HubspotProjectOptions {
  publicUrl: string;
  auth: AuthMode;
  distribution: Distribution;
  dir?: string;
}

export function registerHubspotProject(program: Command): void {
  program
    .command('hubspot-project')
    .description(
      "write the HubSpot project's URL-dependent values (app permittedUrls, webhook targetUrl, the cards' service URL)",
    )
    .requiredOption('--public-url <url>', 'the https URL HubSpot uses to reach this service')
    .addOption(
      new Option('--auth <type>', 'static: one account (private app); oauth: installable app')
        .choices(['static', 'oauth'])
        .default('static'),
    )
    .addOption(
      new Option(
        '--distribution <kind>',
        'with --auth oauth: private (allow-listed accounts) or marketplace',
      )
        .choices(['private', 'marketplace'])
        .default('private'),
    )
    .option(
      '--dir <path>',
      'the project root, where hsproject.json is (default: the current directory)',
    )
    .action(async (options: HubspotProjectOptions) => {
      let publicUrl: PublicUrl;
      try {
        publicUrl = parsePublicUrl(options.publicUrl);
      } catch (error) {
        if (!(error instanceof PublicUrlError)) throw error;
        process.stderr.write(`${error.message}\n`);
        process.exit(EXIT_USAGE);
      }
      const root = options.dir ?? process.cwd();
      const previousAuth = await currentAuthMode(root);
      const files = await writeProjectFiles(root, {
        publicUrl,
        auth: options.auth,
        distribution: options.distribution,
      });
      for (const file of files) {
        process.stdout.write(`${file.changed ? 'wrote    ' : 'unchanged'} ${file.path}\n`);
      }
      process.stdout.write(
        `cards call ${publicUrl.base}, webhooks go to ${publicUrl.base}/webhooks/hubspot (auth ${options.auth})\n`,
      );
      if (previousAuth !== null && previousAuth !== options.auth) {
        process.stdout.write(
          `note: auth changed from ${previousAuth} to ${options.auth}; HubSpot refuses that for an app already uploaded (create a new project instead)\n`,
        );
      }
      process.stdout.write('next: hs project upload\n');
    });
}
