// Waiting for a LiveHub's open subscriptions, through its 'subscriptions' event. The condition is
// checked synchronously in the listener, so no change between two checks is missed.
import type { LiveHub, SubscriptionStats } from '../../src/live/hub.ts';

/** Resolves once the open subscriptions satisfy `until` (checked now and whenever one opens or closes). */
export function untilSubscriptions(hub: LiveHub, until: (stats: SubscriptionStats) => boolean): Promise<void> {
  return new Promise((resolve) => {
    if (until(hub.stats())) return resolve();
    const listener = (stats: SubscriptionStats) => {
      if (!until(stats)) return;
      hub.events.off('subscriptions', listener);
      resolve();
    };
    hub.events.on('subscriptions', listener);
  });
}

/** Resolves once at least `count` subscriptions are open. */
export function whenSubscriptions(hub: LiveHub, count: number): Promise<void> {
  return untilSubscriptions(hub, (s) => s.published + s.updated >= count);
}
