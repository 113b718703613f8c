/**
 * The outbox's memory (client/corpus/outbox.ts): packed documents kept for upload, up to a byte budget, so an upload
 * need not read and verify the files again. Some are also on disk (written by the worker, then packed from the bytes
 * in hand); the others are *held* — only here — until they are uploaded or spilled into the outbox folder (when the
 * store is away, a task completes before they are stored, or the worker stops).
 */
import { writePacked } from './outbox-folder.ts';
import type { PackedDocument } from './pack.ts';

/** Packed documents kept in memory for upload at most (beyond it they are read from disk when their turn comes). */
const MAX_PACKED_BYTES = 8 * 1024 * 1024;

/** What a packed document's parts take: the bytes a batch carries and the budget counts. */
export const storedBytes = (d: PackedDocument) =>
  d.parts.html.storedSize + d.parts.text.storedSize + d.parts.metadata.storedSize;

export class OutboxMemory {
  private readonly packed = new Map<string, PackedDocument>();
  /** kept documents not on disk: their bytes are only here */
  private readonly onlyHere = new Set<string>();
  /** held documents being written into the folder */
  private readonly spilling = new Map<string, Promise<void>>();
  private bytes = 0;

  constructor(private readonly dir: string) {}

  /** Keeps a packed document already on disk; false when it is kept already or the budget is spent. */
  keep(documentId: string, packed: PackedDocument): boolean {
    if (this.packed.has(documentId) || this.bytes + storedBytes(packed) > MAX_PACKED_BYTES) return false;
    this.packed.set(documentId, packed);
    this.bytes += storedBytes(packed);
    return true;
  }

  /** Holds a document that is nowhere else; false when it cannot (then it must be written into the folder). */
  hold(documentId: string, packed: PackedDocument): boolean {
    if (!this.keep(documentId, packed)) return false;
    this.onlyHere.add(documentId);
    return true;
  }

  get(documentId: string): PackedDocument | undefined {
    return this.packed.get(documentId);
  }

  /** The documents held here only. */
  held(): string[] {
    return [...this.onlyHere];
  }

  isHeld(documentId: string): boolean {
    return this.onlyHere.has(documentId);
  }

  get heldCount(): number {
    return this.onlyHere.size;
  }

  /**
   * Writes those of `ids` held here only into the outbox folder (the worker layout, from their packed parts: the
   * gzip holds the bytes as fetched). A document being written already is waited for, not written twice.
   */
  async spill(ids: string[] = this.held()): Promise<void> {
    await Promise.all(
      ids.map((id) => {
        let writing = this.spilling.get(id);
        if (!writing && this.onlyHere.has(id)) {
          writing = writePacked(this.dir, this.packed.get(id)!)
            .then(() => {
              this.onlyHere.delete(id);
            })
            .finally(() => this.spilling.delete(id));
          this.spilling.set(id, writing);
        }
        return writing;
      }),
    );
  }

  /**
   * The gate has the document: true when it was held here only (nothing on disk to delete). One being written out
   * meanwhile is on disk once that ends, and reported as such.
   */
  async stored(documentId: string): Promise<boolean> {
    await this.spilling.get(documentId)?.catch(() => {});
    return this.onlyHere.delete(documentId);
  }

  /** The document no longer waits (uploaded, rejected, or gone from the folder): its bytes go. */
  forget(documentId: string): void {
    const packed = this.packed.get(documentId);
    if (!packed) return;
    this.packed.delete(documentId);
    this.bytes -= storedBytes(packed);
  }
}
