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
  /** Bytes done so far. */
  readonly bytes: number;
  add(bytes: number): void;
  /** A Transform that counts what passes through it. */
  counter(): Transform;
  stop(): void;
}

/**
 * A progress bar on stderr (cli-progress) when stderr is a terminal and neither `--quiet` nor `--json` is given;
 * otherwise it only counts. `totalBytes` unknown: bytes and rate, no bar and no ETA.
 */
export async function startProgress(out: Output, label: string, totalBytes?: number): Promise<Progress> {
  const show = out.stderr.isTTY === true && !out.quiet && !out.json;
  let bytes = 0;
  let bar: { update(v: number, payload: object): void; stop(): void } | undefined;
  const started = performance.now();
  const rate = (): string => `${formatBytes(Math.round(bytes / Math.max(0.001, (performance.now() - started) / 1000)))}/s`;
  if (show) {
    const { SingleBar, Presets } = await import('cli-progress');
    const known = totalBytes !== undefined && totalBytes > 0;
    const single = new SingleBar(
      {
        stream: out.stderr,
        format: known ? `${label} [{bar}] {percentage}% | {value} / {total} | {rate} | ETA {eta_formatted}` : `${label} {value} | {rate}`,
        formatValue: (v: number, _o: unknown, type: string) => (type === 'value' || type === 'total' ? formatBytes(v) : String(v)),
        hideCursor: true,
        etaBuffer: 20,
        fps: 5,
        noTTYOutput: false,
      },
      Presets.shades_classic,
    );
    single.start(known ? totalBytes : 0, 0, { rate: rate() });
    bar = {
      update: (v, payload) => {
        if (known && v > totalBytes) single.setTotal(v);
        single.update(v, payload);
      },
      stop: () => single.stop(),
    };
  }
  const progress: Progress = {
    get bytes() {
      return bytes;
    },
    add(n) {
      bytes += n;
      bar?.update(bytes, { rate: rate() });
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
      bar?.stop();
      bar = undefined;
    },
  };
  return progress;
}
