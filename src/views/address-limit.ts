// Views per reader address per minute, in this process (a fixed one-minute window: the map is dropped
// when the minute turns, so it holds at most one minute's addresses). Views over the limit are not
// counted: one address hammering an article cannot climb the rankings. Generous by default, since
// many readers share an address behind carrier-grade NAT.
export class AddressLimit {
  private minute = -1;
  private counts = new Map<string, number>();

  constructor(private readonly perMinute: number) {}

  /** Counts one view from `address`; false when the address is over its limit this minute. 0 = no limit. */
  allow(address: string | null, nowMs: number): boolean {
    if (this.perMinute <= 0 || !address) return true;
    const minute = Math.floor(nowMs / 60_000);
    if (minute !== this.minute) {
      this.minute = minute;
      this.counts = new Map();
    }
    const n = (this.counts.get(address) ?? 0) + 1;
    this.counts.set(address, n);
    return n <= this.perMinute;
  }
}
