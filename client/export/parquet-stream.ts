/**
 * A hyparquet-writer Writer that streams to a Node Writable: each row group's bytes go out when the writer
 * flushes (after every row group), waiting for the stream to drain, so memory holds one row group.
 */
import type { Writable } from 'node:stream';
import { ByteWriter } from 'hyparquet-writer';

export class StreamWriter extends ByteWriter {
  constructor(private readonly out: Writable) {
    super(1 << 20);
  }

  private async drainBuffer(): Promise<void> {
    if (this.index === 0) return;
    const chunk = Buffer.from(this.buffer.slice(0, this.index));
    this.index = 0;
    if (!this.out.write(chunk))
      await new Promise<void>((resolve, reject) => {
        const onError = (error: Error) => reject(error);
        this.out.once('error', onError);
        this.out.once('drain', () => {
          this.out.off('error', onError);
          resolve();
        });
      });
  }

  flush(): Promise<void> {
    return this.drainBuffer();
  }

  override finish(): Promise<void> {
    return this.drainBuffer();
  }
}
