/**
 * Passwords are never collected (SPEC §2): what the engine and the channels use to drop a message
 * that looks like it holds a password before it reaches the conversation's state, any store or any
 * log. The text analysis itself is dialogs/passwordSafety.ts.
 */
import { looksLikePassword, scrubPassword, type PasswordCheckOptions } from '../passwordSafety';

/** What the user is told instead of an answer; the same question follows. */
export const PASSWORD_DROPPED =
  'That looked like a password, so I have not kept it or passed it on. If it is a password you use, please change it now (log in at www.nhs.net and change it in your account), because it has been typed where someone else might see it. I never need your password, and nobody genuine will ask you for it.';

/** Every string in a card's value (nested objects and lists included), at most `limit` of them. */
function stringsIn(value: unknown, limit = 200, out: string[] = []): string[] {
  if (out.length >= limit) return out;
  if (typeof value === 'string') out.push(value);
  else if (Array.isArray(value)) for (const item of value) stringsIn(item, limit, out);
  else if (value && typeof value === 'object') for (const item of Object.values(value)) stringsIn(item, limit, out);
  return out;
}

/** Whether the typed text, or any string a card sent, looks like it holds a password. */
export function holdsPassword(text: string | undefined, value: unknown, options: PasswordCheckOptions = {}): boolean {
  return [text ?? '', ...stringsIn(value)].some((s) => s.length > 0 && looksLikePassword(s, options));
}

/** A copy of an activity's text and card value with every password-like part replaced, for keeping. */
export function scrubbed<T extends { text?: unknown; value?: unknown }>(activity: T): T {
  const scrub = (value: unknown): unknown => {
    if (typeof value === 'string') return scrubPassword(value);
    if (Array.isArray(value)) return value.map(scrub);
    if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, scrub(v)]));
    return value;
  };
  return {
    ...activity,
    ...(typeof activity.text === 'string' ? { text: scrubPassword(activity.text) } : {}),
    ...(activity.value !== undefined ? { value: scrub(activity.value) } : {}),
  };
}

/**
 * What the conversation is waiting for, from the state of the flow in progress: while a
 * registration waits for its one-time passcode, a word of passcode characters is the passcode
 * (any state named for the passcode — `awaitingPasscode`, `passcode`, `enterPasscode`).
 */
export function expectingFor(flowState: unknown): PasswordCheckOptions {
  const names: string[] = [];
  const walk = (value: unknown) => {
    if (typeof value === 'string') names.push(value);
    else if (value && typeof value === 'object') for (const [key, inner] of Object.entries(value)) names.push(key), walk(inner);
  };
  walk(flowState);
  return names.some((n) => /passcode/i.test(n)) ? { expecting: 'passcode' } : {};
}
