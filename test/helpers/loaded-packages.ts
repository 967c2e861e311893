/**
 * The packages under node_modules this process has required so far, sorted: what the startup fixtures print
 * so a test can tell what a command or the service pulls in. Imports nothing itself, so it adds no package.
 */
export function loadedPackages(): string[] {
  const names = new Set<string>();
  for (const file of Object.keys(require.cache)) {
    const match = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(
      file.slice(file.lastIndexOf('node_modules/')),
    );
    if (match) names.add(match[1] as string);
  }
  return [...names].sort();
}
