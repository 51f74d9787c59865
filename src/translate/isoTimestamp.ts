/**
 * `new Date(millis).toISOString()`, formatted once per second: a session's events come in bursts
 * within the same second, and every event carries a timestamp, so the text up to the second is
 * kept and only the milliseconds are appended.
 */
let cachedSecond = Number.NaN;
let cachedPrefix = '';

export function isoTimestamp(millis: number): string {
  const second = Math.floor(millis / 1000);
  if (second !== cachedSecond) {
    // Everything before the milliseconds ("….000Z"), whatever the width of the year.
    cachedPrefix = new Date(second * 1000).toISOString().slice(0, -4);
    cachedSecond = second;
  }
  const ms = millis - second * 1000;
  return `${cachedPrefix}${ms < 10 ? '00' : ms < 100 ? '0' : ''}${ms}Z`;
}
