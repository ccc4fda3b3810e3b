import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '@pocketdock/testkit';
import { dashboardDir } from '../src/index.js';
import { ensurePageBuilt } from './integration/harness.js';

describe('dashboardDir', () => {
  it('names the built page of this package', () => {
    ensurePageBuilt();
    const dir = dashboardDir(__filename);
    expect(dir).toBe(join(__dirname, '..', 'dist', 'page'));
    expect(existsSync(join(dir, 'index.html'))).toBe(true);
  });

  it('says how to build it when the package cannot be found from there', async () => {
    await using dir = await tempDir();
    expect(() => dashboardDir(join(dir.path, 'x.js'))).toThrow(/@pocketdock\/dashboard/);
  });
});
