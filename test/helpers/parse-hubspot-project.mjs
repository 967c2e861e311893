// @hubspot/project-parsing-lib is ESM-only; Jest runs CommonJS, so the project test runs this in a child node.
// Usage: node parse-hubspot-project.mjs <project root>  → prints { config, skipped, components } as JSON.
import path from 'node:path';
import process from 'node:process';

import { parseProjectConfig } from '@hubspot/project-parsing-lib/projects';
import { translate } from '@hubspot/project-parsing-lib/translate';

const root = path.resolve(process.argv[2] ?? '.');
const config = parseProjectConfig(root);
const { intermediateRepresentation, skippedHsMetaFiles } = await translate(
  { projectSourceDir: path.join(root, config.srcDir), platformVersion: config.platformVersion },
  { skipValidation: true },
);
const components = Object.values(intermediateRepresentation.intermediateNodesIndexedByUid).map(
  (node) => ({
    uid: node.uid,
    componentType: node.componentType,
    metaFilePath: node.metaFilePath,
    config: node.config,
  }),
);
process.stdout.write(JSON.stringify({ config, skipped: skippedHsMetaFiles, components }));
