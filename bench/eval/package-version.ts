import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);

/** The version in the package.json of the package `packageName` resolves to from here. */
export function packageVersion(packageName: string): string {
  let directory = dirname(require.resolve(packageName));
  for (;;) {
    const file = join(directory, 'package.json');
    if (existsSync(file)) {
      const manifest = JSON.parse(readFileSync(file, 'utf8')) as { name?: string; version?: string };
      if (manifest.name === packageName && manifest.version) return manifest.version;
    }
    const parent = dirname(directory);
    if (parent === directory) throw new Error(`no package.json found for ${packageName}`);
    directory = parent;
  }
}
