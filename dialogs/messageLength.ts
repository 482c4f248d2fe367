/**
 * The longest message (or text in a form) that is read. An answer, or a question for NAS, fits
 * many times over; reading 100 KB through every pattern of every step cost seconds of the
 * process's time for nothing. A longer message is refused before any step reads it, and nothing
 * of it is kept for a hand-over.
 */
export const MAX_MESSAGE_CHARACTERS = 4_000;

/** The longest text in what was sent: the message, and any string in a card's value. */
export function longestText(text: string, value: unknown): number {
  let longest = text.length;
  const walk = (node: unknown, depth: number) => {
    if (typeof node === 'string') longest = Math.max(longest, node.length);
    else if (node && typeof node === 'object' && depth < 8) for (const item of Object.values(node).slice(0, 200)) walk(item, depth + 1);
  };
  walk(value, 0);
  return longest;
}
