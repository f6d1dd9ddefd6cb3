/** How far back a chart reaches, in words for its axis and its accessible name: "40 s", "3 min". */
export function spanWords(from: number, now: number): string {
  const ms = now - from;
  return ms >= 60_000 ? `${Math.round(ms / 60_000)} min` : `${Math.max(1, Math.round(ms / 1000))} s`;
}
