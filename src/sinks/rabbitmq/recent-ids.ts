/**
 * A bounded record of ids, oldest evicted first: a Set keeps insertion order, so the first key is
 * always the oldest. Used to skip events the broker already confirmed, because RabbitMQ itself
 * does not drop duplicate messages.
 */
export class RecentIds {
  private readonly ids = new Set<string>();

  constructor(readonly capacity: number) {}

  has(id: string): boolean {
    return this.ids.has(id);
  }

  add(id: string): void {
    if (this.ids.has(id)) return;
    this.ids.add(id);
    if (this.ids.size > this.capacity) {
      const oldest = this.ids.values().next();
      if (!oldest.done) this.ids.delete(oldest.value);
    }
  }

  get size(): number {
    return this.ids.size;
  }
}
