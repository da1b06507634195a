/**
 * How much one answer carries. Text is counted in UTF-16 units; an answer's JSON
 * is at most about six times its text (every character escaped), so a page stays
 * within a couple of megabytes whatever the messages hold.
 */
export const PAGE_TEXT_CHARS = 256_000;

/** How many of `rows` (oldest first) one page takes: at most `maxChars` of text in all, but always at least one. */
export function oldestThatFit(rows: ReadonlyArray<{ text: string }>, maxChars = PAGE_TEXT_CHARS): number {
  let used = 0;
  for (let i = 0; i < rows.length; i++) {
    used += rows[i].text.length;
    if (used > maxChars) return Math.max(1, i);
  }
  return rows.length;
}

/** How many of the newest of `rows` (oldest first) one page takes, counted from the end; always at least one. */
export function newestThatFit(rows: ReadonlyArray<{ text: string }>, maxChars = PAGE_TEXT_CHARS): number {
  let used = 0;
  for (let i = rows.length - 1; i >= 0; i--) {
    used += rows[i].text.length;
    if (used > maxChars) return Math.max(1, rows.length - 1 - i);
  }
  return rows.length;
}
