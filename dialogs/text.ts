import { parsePhoneNumberWithError } from 'libphonenumber-js/max';

/**
 * How the assistant writes: Teams and Web Chat render a message's text as markdown, so what a
 * user typed is escaped wherever it is quoted back (`quote`), and an address the user may copy is
 * written as code (`address`), which is neither a link nor broken up by invisible characters. The
 * terminal chat shows the same text as plain text (bot/chat.ts `plainText`).
 */

/** Markdown's emphasis, code, link and HTML characters (a link needs its brackets, so they are enough). */
const MARKDOWN = /[\\`*_[\]~<>|]/g;

/** Text inside a sentence, shown as it is in a markdown message. */
export function quoteInline(text: string): string {
  return text.replace(MARKDOWN, (c) => `\\${c}`);
}

/** Text a user typed (or any text from outside), shown as it is in a markdown message, even at the start of a line. */
export function quote(text: string): string {
  return quoteInline(text)
    .replace(/^(\s*)([-+#](?=\s|$)|\d+\.(?=\s))/gm, (_m, space: string, mark: string) => `${space}\\${mark}`);
}

/** What the user typed, for quoting back: trimmed, cut short when very long, escaped. */
export function shown(text: string, max = 40): string {
  const t = text.trim().replace(/\s+/g, ' ');
  const chars = [...t];
  return quote(chars.length > max ? `${chars.slice(0, max - 1).join('')}…` : t);
}

/** An address to copy (a shared mailbox address): code, so it is not made a link. */
export function address(text: string): string {
  return `\`${text.replace(/`/g, '')}\``;
}

export function bold(text: string): string {
  return `**${text}**`;
}

/** "a", "b" or "c" */
export function listOf(items: readonly string[], conjunction: 'and' | 'or'): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} ${conjunction} ${items[items.length - 1]}`;
}

const LONDON = 'Europe/London';

/** "14 December 2026" */
export function formatDate(ms: number): string {
  return new Date(ms).toLocaleDateString('en-GB', { day: 'numeric', month: 'long', year: 'numeric', timeZone: LONDON });
}

/** "14 December 2026 at 09:15" */
export function formatDateTime(ms: number): string {
  const time = new Date(ms).toLocaleTimeString('en-GB', { hour: '2-digit', minute: '2-digit', timeZone: LONDON });
  return `${formatDate(ms)} at ${time}`;
}

/** A stored mobile (E.164) as people write it: "+447400123456" → "07400 123456". */
export function spacedMobile(e164: string): string {
  try {
    return parsePhoneNumberWithError(e164, 'GB').formatNational();
  } catch {
    return e164;
  }
}
