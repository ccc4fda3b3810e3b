import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/**
 * The directory of the dashboard's built page (`dist/page` of this package), for the composition layer to hand
 * to flow-manager as its `dashboardDir` option. Throws when the page has not been built.
 *
 * @example
 * const fm = await FlowManager.start({ token, dashboardDir: dashboardDir() });
 * // open fm.url in a browser and sign in with the token
 */
export function dashboardDir(from: string = join(process.cwd(), 'noop.js')): string {
  const pkg = createRequire(from).resolve('@pocketdock/dashboard/package.json');
  const dir = join(dirname(pkg), 'dist', 'page');
  if (!existsSync(join(dir, 'index.html'))) {
    throw new Error(`the dashboard's page is not built (${dir}/index.html is missing): run \`npx nx build @pocketdock/dashboard\``);
  }
  return dir;
}
