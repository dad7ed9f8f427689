// The client's address. Behind a load balancer (TRUST_PROXY) it is the right-most X-Forwarded-For
// entry: the one our proxy appended. Entries to its left come from the client and can be forged.
export function clientAddress(
  forwardedFor: string | string[] | null | undefined,
  remoteAddress: string | null | undefined,
  trustProxy: boolean,
): string | null {
  if (trustProxy && forwardedFor) {
    const entries = (Array.isArray(forwardedFor) ? forwardedFor.join(',') : forwardedFor)
      .split(',')
      .map((e) => e.trim())
      .filter(Boolean);
    const last = entries.at(-1);
    if (last) return last;
  }
  return remoteAddress ?? null;
}
