/** Packet identifiers 1..65535 for one session: handed out in rotation, skipping those still in use. */
export const MAX_PACKET_ID = 0xffff;

export class PacketIds {
  private readonly used = new Set<number>();
  private next = 1;

  /** A free identifier, or undefined when all 65535 are in use. */
  take(): number | undefined {
    if (this.used.size >= MAX_PACKET_ID) return undefined;
    while (this.used.has(this.next)) this.next = this.next === MAX_PACKET_ID ? 1 : this.next + 1;
    const id = this.next;
    this.used.add(id);
    this.next = id === MAX_PACKET_ID ? 1 : id + 1;
    return id;
  }

  release(id: number): void {
    this.used.delete(id);
  }

  has(id: number): boolean {
    return this.used.has(id);
  }

  get size(): number {
    return this.used.size;
  }

  clear(): void {
    this.used.clear();
  }
}
