import { join } from 'node:path';
import { Readable } from 'node:stream';
import { EngineError } from '@pocketdock/engine-socket';
import { tempDir } from '@pocketdock/testkit';
import {
  ContainerError,
  createNewContainer,
  destroyContainer,
  ensureImage,
  importImage,
  listContainers,
  loadImage,
  openContainer,
  prune,
  removeImage,
  resumeContainer,
  stopContainer,
} from '../src/index.js';

/** What `p` rejected with (fails the test when it resolves). */
async function rejection(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (err) {
    return err;
  }
  throw new Error('expected a rejection');
}

// Regression: with an engine socket nobody answers, createNewContainer, listContainers and the other standalone
// functions rejected with engine-socket's raw EngineError (the README promises ContainerError): connecting failed
// outside the code that wraps engine failures.
describe('an engine socket nobody answers', () => {
  const calls: Array<[string, (socketPath: string) => Promise<unknown>]> = [
    ['createNewContainer', (socketPath) => createNewContainer({ socketPath })],
    ['listContainers', (socketPath) => listContainers({ socketPath })],
    ['openContainer', (socketPath) => openContainer('x', { socketPath })],
    ['resumeContainer', (socketPath) => resumeContainer('x', { socketPath })],
    ['stopContainer', (socketPath) => stopContainer('x', { socketPath })],
    ['destroyContainer', (socketPath) => destroyContainer('x', { socketPath })],
    ['prune', (socketPath) => prune({ socketPath })],
    ['importImage', (socketPath) => importImage(Readable.from([]), 'x:y', { socketPath })],
    ['loadImage', (socketPath) => loadImage(Readable.from([]), { socketPath })],
    ['ensureImage', (socketPath) => ensureImage('x:y', { socketPath })],
    ['removeImage', (socketPath) => removeImage('x:y', { socketPath })],
  ];

  it.each(calls)('%s -> ContainerError CONTAINER_ENGINE_ERROR, the EngineError as cause', async (_, call) => {
    await using dir = await tempDir();
    const err = await rejection(call(join(dir.path, 'dead.sock')));
    expect(ContainerError.is(err)).toBe(true);
    expect(err).toMatchObject({ code: 'CONTAINER_ENGINE_ERROR', message: expect.stringContaining('connect to the container engine') });
    expect(EngineError.is((err as ContainerError).cause)).toBe(true);
  });
});
