import { Transform } from 'node:stream';
import type { Output } from './output.js';

/** Bytes as people read them: 1.5 MiB. */
export function formatBytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = n;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u += 1;
  }
  return u === 0 ? `${v} B` : `${v.toFixed(1)} ${units[u]}`;
}

/** A byte count for long work: a bar with bytes, rate and ETA on a terminal; nothing otherwise. */
export interface Progress {
  /** Whether a bar is drawn (stderr is a terminal, no `--quiet` nor `--json`). */
  readonly shown: boolean;
  /** Bytes done so far. */
  readonly bytes: number;
  add(bytes: number): void;
  /** The count so far (and the total when it is learnt late: the bar starts then). */
  update(bytesDone: number, bytesTotal?: number): void;
  /** A Transform that counts what passes through it. */
  counter(): Transform;
  stop(): void;
}

interface Bar {
  update(v: number, payload: object): void;
  stop(): void;
}

/**
 * A progress bar on stderr (cli-progress) when stderr is a terminal and neither `--quiet` nor `--json` is given;
 * otherwise it only counts. The bar starts at the first bytes, with the total known then (`totalBytes`, or the one
 * `update()` gives); with none: bytes and rate, no bar and no ETA.
 */
export async function startProgress(out: Output, label: string, totalBytes?: number): Promise<Progress> {
  const show = out.stderr.isTTY === true && !out.quiet && !out.json;
  let bytes = 0;
  let total = totalBytes;
  let bar: Bar | undefined;
  let stopped = false;
  const started = performance.now();
  const rate = (): string => `${formatBytes(Math.round(bytes / Math.max(0.001, (performance.now() - started) / 1000)))}/s`;
  const lib = show ? await import('cli-progress') : undefined;
  const draw = (): void => {
    if (!lib || stopped) return;
    if (!bar) {
      const known = total !== undefined && total > 0;
      const single = new lib.SingleBar(
        {
          stream: out.stderr,
          format: known ? `${label} [{bar}] {percentage}% | {value} / {total} | {rate} | ETA {eta_formatted}` : `${label} {value} | {rate}`,
          formatValue: (v: number, _o: unknown, type: string) => (type === 'value' || type === 'total' ? formatBytes(v) : String(v)),
          hideCursor: true,
          etaBuffer: 20,
          fps: 5,
          noTTYOutput: false,
        },
        lib.Presets.shades_classic,
      );
      single.start(known ? total! : 0, 0, { rate: rate() });
      bar = {
        update: (v, payload) => {
          // the archive's headers take a copy a little past the file's size
          if (known && v > total!) single.setTotal(v);
          single.update(v, payload);
        },
        stop: () => single.stop(),
      };
    }
    bar.update(bytes, { rate: rate() });
  };
  const progress: Progress = {
    shown: show,
    get bytes() {
      return bytes;
    },
    add(n) {
      bytes += n;
      draw();
    },
    update(done, bytesTotal) {
      bytes = done;
      total ??= bytesTotal;
      draw();
    },
    counter() {
      return new Transform({
        transform(chunk: Buffer, _enc, done) {
          progress.add(chunk.length);
          done(null, chunk);
        },
      });
    },
    stop() {
      stopped = true;
      bar?.stop();
      bar = undefined;
    },
  };
  return progress;
}
