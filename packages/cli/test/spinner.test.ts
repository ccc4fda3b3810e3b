import { PassThrough } from 'node:stream';
import { Output } from '../src/output.js';
import { spin, spinnerAllowed } from '../src/spinner.js';

/** A stderr that says it is a terminal, keeping what is written to it. */
function terminal(): { stream: NodeJS.WriteStream; written: () => string } {
  const pass = new PassThrough();
  let text = '';
  pass.on('data', (d: Buffer) => (text += d.toString()));
  return { stream: Object.assign(pass, { isTTY: true, columns: 80 }) as unknown as NodeJS.WriteStream, written: () => text };
}

const out = (options: { quiet?: boolean; json?: boolean }, stderr: NodeJS.WriteStream): Output => new Output(options, process.stdout, stderr);

describe('spinners', () => {
  it('are allowed on a terminal only, never with --quiet, --json or TERM=dumb', () => {
    const tty = terminal().stream;
    expect(spinnerAllowed(out({}, tty), {})).toBe(true);
    expect(spinnerAllowed(out({}, tty), { TERM: 'dumb' })).toBe(false);
    expect(spinnerAllowed(out({ quiet: true }, tty), {})).toBe(false);
    expect(spinnerAllowed(out({ json: true }, tty), {})).toBe(false);
    const pipe = Object.assign(new PassThrough(), { isTTY: false }) as unknown as NodeJS.WriteStream;
    expect(spinnerAllowed(out({}, pipe), {})).toBe(false);
  });

  it('a wait shorter than the delay draws nothing and returns the value', async () => {
    const t = terminal();
    await expect(spin(out({}, t.stream), 'working', () => new Promise((r) => setTimeout(() => r(42), 20)), 300)).resolves.toBe(42);
    await new Promise((r) => setTimeout(r, 400)); // past the delay: still nothing
    expect(t.written()).toBe('');
  });

  it('where none is allowed, a long wait draws nothing either, and a failure passes through', async () => {
    const t = terminal();
    await expect(spin(out({ json: true }, t.stream), 'working', () => new Promise((r) => setTimeout(() => r('done'), 80)), 10)).resolves.toBe('done');
    await expect(spin(out({ quiet: true }, t.stream), 'working', () => Promise.reject(new Error('boom')), 10)).rejects.toThrow('boom');
    expect(t.written()).toBe('');
  });
});
