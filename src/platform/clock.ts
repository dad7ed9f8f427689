// The app's one clock. Everything that judges time (visibility, cache expiry, rankings, rate limits)
// takes a `Clock` from the app factory instead of calling Date.now(), so a test that freezes or moves
// the clock moves all of it. Timers (setInterval, setTimeout) still run on real time.
export type Clock = () => Date;

export const systemClock: Clock = () => new Date();
