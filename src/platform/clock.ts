// The app's one clock. Everything that judges time (visibility, rankings and their cache, the article
// directory's entries, rate limits, token revocation) takes a `Clock` from the app factory instead of calling Date.now(),
// so a test that freezes or moves the clock moves all of it.
// On machine time, on purpose: timers (setInterval, setTimeout); flush leases (`claimedAt`, compared
// across instances); the arrival instant of a pub/sub delivery and the last-flush timestamp (metrics,
// compared with Prometheus' own time); the age of a stored HTTP answer (src/cache: HTTP caches and
// CDNs count on real time); the names of mailed files; the seeding CLI's progress.
export type Clock = () => Date;

export const systemClock: Clock = () => new Date();
