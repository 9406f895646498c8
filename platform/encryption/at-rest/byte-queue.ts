/** A queue of buffers from which exact lengths are taken, copying only across chunk boundaries. */
export class ByteQueue {
  private chunks: Buffer[] = [];
  length = 0;

  push(chunk: Buffer): void {
    if (chunk.length === 0) return;
    this.chunks.push(chunk);
    this.length += chunk.length;
  }

  take(n: number): Buffer {
    if (n > this.length) throw new RangeError('ByteQueue: not enough bytes');
    this.length -= n;
    if (n === 0) return Buffer.alloc(0);
    if (this.chunks[0].length === n) return this.chunks.shift()!;
    if (this.chunks[0].length > n) {
      const out = this.chunks[0].subarray(0, n);
      this.chunks[0] = this.chunks[0].subarray(n);
      return out;
    }
    const out = Buffer.allocUnsafe(n);
    let filled = 0;
    while (filled < n) {
      const head = this.chunks[0];
      const k = Math.min(head.length, n - filled);
      head.copy(out, filled, 0, k);
      filled += k;
      if (k === head.length) this.chunks.shift();
      else this.chunks[0] = head.subarray(k);
    }
    return out;
  }

  peek(n: number): Buffer {
    return Buffer.concat(this.chunks, Math.min(n, this.length));
  }
}
