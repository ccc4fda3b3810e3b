import { useColour } from './output.js';
import type { Output } from './output.js';

/** Waits shorter than this draw nothing: a spinner that flashes for a moment is noise. */
export const SPINNER_DELAY_MS = 300;

/** Whether a spinner may be drawn: stderr is a terminal (not `TERM=dumb`), and neither `--quiet` nor `--json`. */
export function spinnerAllowed(out: Output, env: NodeJS.ProcessEnv = process.env): boolean {
  return out.stderr.isTTY === true && env.TERM !== 'dumb' && !out.quiet && !out.json;
}

/**
 * Runs `work`; when it is still running after `delayMs` and a spinner is allowed ({@link spinnerAllowed}), draws
 * one on stderr (yocto-spinner, loaded only then) with `text` until it ends, then clears the line. No colour with
 * `NO_COLOR`. What the command prints meanwhile goes above the spinner.
 *
 * @example
 * const c = await spin(ctx.out, 'creating box', () => pd.createContainer({ name: 'box' }));
 */
export async function spin<T>(out: Output, text: string, work: () => Promise<T>, delayMs = SPINNER_DELAY_MS): Promise<T> {
  if (!spinnerAllowed(out)) return work();
  let finished = false;
  let spinner: { stop(): unknown } | undefined;
  // Our rule (useColour): NO_COLOR always wins. Node's hasColors(), which yoctocolors asks once when it is loaded,
  // lets FORCE_COLOR (Nx and many CI runners set it) win over NO_COLOR: drop it first, so the two agree.
  if (!useColour(out.stderr)) delete process.env.FORCE_COLOR;
  const timer = setTimeout(() => {
    void import('yocto-spinner').then(({ default: yoctoSpinner }) => {
      if (finished) return;
      // Colour: yocto-spinner paints through yoctocolors (Node's hasColors(): NO_COLOR, TERM=dumb; FORCE_COLOR dropped above).
      // SIGINT/SIGTERM while it spins: it shows the cursor again and exits 130/143 (no command spins while it
      // handles those signals itself), so an interrupted wait never leaves the terminal without a cursor.
      spinner = yoctoSpinner({ text, stream: out.stderr }).start();
    });
  }, delayMs);
  try {
    return await work();
  } finally {
    finished = true;
    clearTimeout(timer);
    spinner?.stop();
  }
}
