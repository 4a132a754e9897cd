/**
 * The two channels must agree: every event a webhook announced should come through the Events API
 * (the cursor) soon after. Ids are remembered when announced and forgotten when delivered; those
 * still waiting after `afterMs` are handed back once by `overdue()`, for an error log and a metric:
 * a person should look. Bounded, so a flood of deliveries cannot grow it without end.
 */
export class WebhookCrossCheck {
  private readonly waiting = new Map<string, { readonly type: string; readonly at: number }>();

  constructor(private readonly afterMs: number, private readonly maxTracked = 100_000) {}

  announced(id: string, type: string, at: number): void {
    if (this.waiting.size >= this.maxTracked) {
      const oldest = this.waiting.keys().next().value;
      if (oldest !== undefined) this.waiting.delete(oldest);
    }
    if (!this.waiting.has(id)) this.waiting.set(id, { type, at });
  }

  delivered(ids: Iterable<string>): void {
    for (const id of ids) this.waiting.delete(id);
  }

  /** Ids announced more than `afterMs` before `now` and still not delivered; each is reported once. */
  overdue(now: number): Array<{ id: string; type: string; announcedAt: number }> {
    const late: Array<{ id: string; type: string; announcedAt: number }> = [];
    // Insertion order is announcement order: stop at the first one still within its time.
    for (const [id, entry] of this.waiting) {
      if (now - entry.at < this.afterMs) break;
      late.push({ id, type: entry.type, announcedAt: entry.at });
      this.waiting.delete(id);
    }
    return late;
  }

  get size(): number {
    return this.waiting.size;
  }
}
