import type { Readable } from 'node:stream';
import { listFiles, readFile, readFileStream, writeFile } from '../files/files.js';
import type { FileEntry, ReadFileOptions, WriteFileOptions } from '../files/files.js';
import { pull, push } from '../files/host-copy.js';
import type { PullOptions, PushOptions } from '../files/host-copy.js';
import { FileWatch } from '../watch.js';
import type { WatchOptions } from '../watch.js';
import { ContainerExec } from './exec.js';

/** @internal Files inside the sandbox: read, write, list, copy to and from the host, watch. Part of {@link Container}. */
export abstract class ContainerFiles extends ContainerExec {
  /**
   * Writes a file, creating missing parent directories; `data` may be a string (UTF-8), a Buffer or a Readable
   * (streamed). Goes through the engine's archive endpoint: no shell command is built from the path.
   *
   * @example
   * await c.writeFile('/work/run.sh', '#!/bin/sh\necho hi\n', { mode: 0o755 });
   */
  writeFile(path: string, data: string | Buffer | Readable, options: WriteFileOptions = {}): Promise<void> {
    return this.live(() => writeFile(this.engine, this.id, path, data, options));
  }

  /**
   * A file's content, at most `maxBytes` (default 64 MiB; larger: `FILE_TOO_LARGE`, use `readFileStream`). Missing:
   * `FILE_NOT_FOUND`; a directory: `FILE_IS_DIRECTORY`. Symlinks are followed.
   */
  readFile(path: string, options: ReadFileOptions = {}): Promise<Buffer> {
    return this.live(() => readFile(this.engine, this.id, path, options));
  }

  /** A file's content as a stream (bounded memory for any size); errors arrive as the stream's error. */
  readFileStream(path: string): Readable {
    this.assertLive();
    return readFileStream(this.engine, this.id, path);
  }

  /** The entries directly inside a directory: `{ name, nameBytes, type, size, mode, mtime }`, sorted by name. */
  listFiles(path: string): Promise<FileEntry[]> {
    return this.live(() => listFiles(this.engine, this.id, path));
  }

  /** Copies a host file or directory into the container at `containerDest` (its full new path); `onProgress` counts bytes. */
  push(hostSrc: string, containerDest: string, options: PushOptions = {}): Promise<void> {
    return this.live(() => push(this.engine, this.id, hostSrc, containerDest, options));
  }

  /**
   * Copies a container file or directory to `hostDest` (its full new path) on the host. Never writes through a
   * symlink at or below `hostDest` (one in the way is replaced); setuid/setgid/sticky bits are cleared unless
   * `preserveSpecialBits`; files belong to the user running this process.
   */
  pull(containerSrc: string, hostDest: string, options: PullOptions = {}): Promise<void> {
    return this.live(() => pull(this.engine, this.id, containerSrc, hostDest, options));
  }

  /**
   * File events (create, modify, delete, rename) under `path` inside the sandbox: see {@link FileWatch}.
   *
   * @example
   * for await (const e of await c.watch('/work', { recursive: true })) console.log(e.type, e.path);
   */
  watch(path: string, options: WatchOptions = {}): Promise<FileWatch> {
    return this.live(() => FileWatch.open(this.engine, this.id, path, options, this.track));
  }
}
