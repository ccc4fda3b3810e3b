import type { Context } from '../context.js';
import { EXIT } from '../errors.js';

/** One check of `pocketdock doctor --json`. */
export interface DoctorCheck {
  check: 'settings' | 'engine' | 'image' | 'sandbox';
  ok: boolean;
  detail: string;
  /** What to do when it failed; null when it passed. */
  hint: string | null;
}

/** The image sandboxes get when no setting names one (container-sdk's default). */
export const DEFAULT_IMAGE = 'pocketdock/busybox:test';

function failed(err: unknown): string {
  const code = (err as { code?: unknown }).code;
  return `${typeof code === 'string' ? `${code}: ` : ''}${err instanceof Error ? err.message : String(err)}`;
}

/** `pocketdock doctor`: settings, engine, image and a real sandbox, each checked; exits 1 when one fails. */
export async function doctor(ctx: Context, _args: unknown[], options: Record<string, unknown>): Promise<number> {
  const checks: DoctorCheck[] = [];
  const add = (check: DoctorCheck['check'], ok: boolean, detail: string, hint: string | null = null): boolean => {
    checks.push({ check, ok, detail, hint: ok ? null : hint });
    return ok;
  };
  await (async () => {
    let pd;
    try {
      pd = await ctx.pocketdock();
    } catch (err) {
      return add('settings', false, failed(err), '`pocketdock config` shows every setting and the layer it came from');
    }
    add('settings', true, pd.settings.files.length === 0 ? 'defaults (no settings file)' : `read ${pd.settings.files.join(', ')}`);
    let engine;
    try {
      engine = await ctx.engine();
    } catch (err) {
      return add('engine', false, failed(err), 'start Docker or Podman, or pass --socket; `pocketdock engines` shows what was tried');
    }
    add('engine', true, `${engine.engine} (API ${engine.apiVersion}) at ${engine.socketPath}`);
    const image = (options.image as string | undefined) ?? pd.settings.get('sandbox.image') ?? DEFAULT_IMAGE;
    try {
      const i = await engine.json<{ Id: string; Size: number }>({ path: `/images/${encodeURI(image)}/json` });
      add('image', true, `${image} (${i.Id.replace(/^sha256:/, '').slice(0, 12)})`);
    } catch (err) {
      return add('image', false, `${image}: ${failed(err)}`, '`pocketdock build busybox` in a pocketdock checkout, or `pocketdock import <file>`');
    }
    const started = performance.now();
    try {
      const c = await pd.createContainer({ image, persist: false, labels: { 'pocketdock.doctor': 'true' } });
      try {
        const r = await c.run(['echo', 'ok'], { timeoutMs: 30_000 });
        if (r.exitCode !== 0 || r.stdout !== 'ok\n') throw new Error(`echo ok gave exit ${r.exitCode}: ${r.stdout}${r.stderr}`);
      } finally {
        await c.shutdown({ force: true });
      }
      add('sandbox', true, `created, ran \`echo ok\`, removed in ${Math.round(performance.now() - started)} ms`);
    } catch (err) {
      add('sandbox', false, failed(err), 'see the engine log; `pocketdock run -v` shows each step');
    }
    return true;
  })();
  const ok = checks.every((c) => c.ok);
  if (ctx.out.json) ctx.out.printJson(checks);
  else {
    await ctx.out.table(
      ['CHECK', 'RESULT', 'DETAIL'],
      checks.map((c) => [c.check, c.ok ? ctx.out.paint('green', 'ok') : ctx.out.paint('red', 'FAILED'), c.hint ? `${c.detail}; ${c.hint}` : c.detail]),
    );
  }
  return ok ? EXIT.ok : EXIT.checkFailed;
}
