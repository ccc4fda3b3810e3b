/**
 * A byte ring of fixed capacity: keeps the newest bytes, drops the oldest, and remembers that it did.
 */
export class RingBuffer {
  readonly #buf: Buffer;
  #start = 0;
  #length = 0;
  /** True once any byte was dropped to make room. */
  overflowed = false;

  constructor(readonly capacity: number) {
    this.#buf = Buffer.alloc(capacity);
  }

  get length(): number {
    return this.#length;
  }

  write(data: Buffer): void {
    let bytes = data;
    if (bytes.length >= this.capacity) {
      if (bytes.length > this.capacity || this.#length > 0) this.overflowed = true;
      bytes = bytes.subarray(bytes.length - this.capacity);
      bytes.copy(this.#buf, 0);
      this.#start = 0;
      this.#length = this.capacity;
      return;
    }
    const drop = Math.max(0, this.#length + bytes.length - this.capacity);
    if (drop > 0) {
      this.overflowed = true;
      this.#start = (this.#start + drop) % this.capacity;
      this.#length -= drop;
    }
    const end = (this.#start + this.#length) % this.capacity;
    const first = Math.min(bytes.length, this.capacity - end);
    bytes.copy(this.#buf, end, 0, first);
    if (first < bytes.length) bytes.copy(this.#buf, 0, first);
    this.#length += bytes.length;
  }

  /** The buffered bytes, oldest first, without removing them. */
  peek(): Buffer {
    const end = this.#start + this.#length;
    if (end <= this.capacity) return Buffer.from(this.#buf.subarray(this.#start, end));
    return Buffer.concat([this.#buf.subarray(this.#start), this.#buf.subarray(0, end - this.capacity)]);
  }

  /** The buffered bytes, oldest first, removed. */
  drain(): Buffer {
    const out = this.peek();
    this.#start = 0;
    this.#length = 0;
    return out;
  }
}
