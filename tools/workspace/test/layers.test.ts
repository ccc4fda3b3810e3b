import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';

const root = join(__dirname, '../../..');

interface LintResult {
  messages: Array<{ ruleId: string | null; message: string }>;
}

// The layer rule is only worth something if it bites: lint two fixture projects with the workspace's real ESLint
// CLI and config (the fixtures are in its ignore list for normal runs, hence --no-ignore).
async function boundaryErrors(file: string): Promise<string[]> {
  const eslint = join(root, 'node_modules/.bin/eslint');
  const { stdout } = await promisify(execFile)(eslint, ['--no-ignore', '--format', 'json', file], { cwd: root }).catch(
    (err: { stdout?: string }) => ({ stdout: err.stdout ?? '[]' }),
  );
  const [result] = JSON.parse(stdout) as LintResult[];
  return result!.messages.filter((m) => m.ruleId === '@nx/enforce-module-boundaries').map((m) => m.message);
}

describe('layering (@nx/enforce-module-boundaries)', () => {
  it('rejects a lower layer importing a higher one', async () => {
    const errors = await boundaryErrors('tools/layer-fixtures/low/src/index.ts');
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/layer:protocol.*layer:composition|can only depend on libs tagged with/s);
  });

  it('allows a higher layer importing a lower one', async () => {
    expect(await boundaryErrors('tools/layer-fixtures/high/src/index.ts')).toEqual([]);
  });

  it('gives every package a layer tag', async () => {
    const { readdirSync, readFileSync } = await import('node:fs');
    for (const dir of readdirSync(join(root, 'packages'))) {
      const pkg = JSON.parse(readFileSync(join(root, 'packages', dir, 'package.json'), 'utf8')) as { nx?: { tags?: string[] } };
      expect({ dir, tags: pkg.nx?.tags?.filter((t) => t.startsWith('layer:')) }).toEqual({ dir, tags: [expect.any(String)] });
    }
  });
});
