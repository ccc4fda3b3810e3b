/** Which stream a frame belongs to. Type bytes: stdin = 0, stdout = 1, stderr = 2. */
export type StreamName = 'stdin' | 'stdout' | 'stderr';

/** One decoded frame: the payload bytes of one attach-stream frame. */
export interface Frame {
  stream: StreamName;
  data: Buffer;
}

/** `'multiplexed'`: 8-byte framed (a non-TTY attach or exec). `'raw'`: a TTY stream, bytes with no framing. */
export type StreamMode = 'multiplexed' | 'raw';

/** Bytes in a frame header: `[type, 0, 0, 0, size (uint32 big-endian)]`. */
export const HEADER_BYTES = 8;

/** The largest payload a header can describe. */
export const MAX_FRAME_SIZE = 0xffff_ffff;

export const STREAM_BY_TYPE: readonly StreamName[] = ['stdin', 'stdout', 'stderr'];

export const TYPE_BY_STREAM: Readonly<Record<StreamName, number>> = { stdin: 0, stdout: 1, stderr: 2 };
