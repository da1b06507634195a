/** "42s", "3m 05s", "2h 10m", "3d 4h" for a duration in seconds. */
export function duration(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m ${String(s % 60).padStart(2, '0')}s`;
  if (s < 86_400) return `${Math.floor(s / 3600)}h ${Math.floor((s % 3600) / 60)}m`;
  return `${Math.floor(s / 86_400)}d ${Math.floor((s % 86_400) / 3600)}h`;
}

/** "just now", "5m ago", "2h ago" for an age in seconds; "never" for none. */
export function ago(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined) return 'never';
  if (seconds < 10) return 'just now';
  return `${duration(seconds).split(' ')[0]} ago`;
}

/** The local time of day of an ISO timestamp. */
export function clock(ts: string): string {
  return new Date(ts).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
}

/** The local calendar day of an ISO timestamp, for dividers. */
export function day(ts: string): string {
  return new Date(ts).toLocaleDateString([], { weekday: 'long', year: 'numeric', month: 'long', day: 'numeric' });
}
