import pino, { DestinationStream, Logger, LoggerOptions } from 'pino';
import { findPasswords, PASSWORD_PLACEHOLDER } from '../dialogs/passwordSafety';

/**
 * JSON logs with personal data taken out: passwords, email addresses, phone numbers and anything
 * that looks like a one-time passcode never reach a log line, wherever they appear in it. Errors keep
 * their type, message, stack and cause (redacted like everything else).
 */

// Starts only where an address can start, so a long run without an @ is read once.
const EMAIL = /(?<![A-Z0-9._%+'-])[A-Z0-9._%+'-]+@[A-Z0-9-]+(?:\.[A-Z0-9-]+)+/gi;
// International or national numbers of 10 or more digits, with the usual separators.
const PHONE = /(?:\+|\b00|\b0)\d(?:[\s().-]*\d){8,13}\b/g;
// 8 characters of the passcode alphabet, possibly split 4-4, containing a digit and a letter.
const PASSCODE = /\b(?=[A-Z2-9\s-]{8,9}\b)(?=[A-Z\s-]*[2-9])(?=[2-9\s-]*[A-Z])[A-HJ-NP-Z2-9]{4}[\s-]?[A-HJ-NP-Z2-9]{4}\b/gi;

/** Paths, stack frames and JSON in a log line are code, not a password someone typed. */
const STRUCTURAL = /[/\\{}<>"]|:\d+/;

/**
 * Anything that looks like a password, as the engine drops it (dialogs/passwordSafety.ts) — except
 * a word that only meets the password rules and is plainly code (a stack frame's path, a state as
 * JSON), so that errors stay readable. A stated one ("my password is …") always goes.
 */
/** A stack frame's line: "    at RedisOutbox.forgetOldContent (/app/dist/adapters/redisOutbox.js:129:21)". */
const STACK_FRAME = /^\s+at (?:async )?(?:\S+ \(.*:\d+:\d+\)|\S*:\d+:\d+)$/;
const ERROR_NAME = /^[A-Z][A-Za-z]*(?:Error|Exception):?$/;
const lineAround = (text: string, at: number) => text.slice(text.lastIndexOf('\n', at) + 1, (text.indexOf('\n', at) + 1 || text.length + 1) - 1);

function scrubPasswords(text: string): string {
  let out = '';
  let at = 0;
  for (const found of findPasswords(text)) {
    if (found.reason === 'meetsPasswordRules' && STRUCTURAL.test(text.slice(found.start, found.end))) continue;
    // A function's name in a stack frame ("RedisOutbox.forgetOldContent"), or an error's
    // ("StoreUnavailableError:"), is code too.
    if (found.reason === 'meetsPasswordRules' && STACK_FRAME.test(lineAround(text, found.start))) continue;
    if (found.reason === 'meetsPasswordRules' && ERROR_NAME.test(text.slice(found.start, found.end))) continue;
    out += text.slice(at, found.start) + PASSWORD_PLACEHOLDER;
    at = found.end;
  }
  return out + text.slice(at);
}

export function redact(text: string): string {
  // Passwords first: an address or number inside one must not leave the rest of it behind.
  return scrubPasswords(text).replace(EMAIL, '[email]').replace(PHONE, '[phone]').replace(PASSCODE, '[code]');
}

/** An error as plain data: its message and stack live in non-enumerable properties. */
function serializeError(error: Error, depth: number): Record<string, unknown> {
  const out: Record<string, unknown> = { type: error.constructor?.name || error.name, message: error.message, stack: error.stack };
  for (const [key, item] of Object.entries(error)) if (!(key in out)) out[key] = item;
  if (error.cause !== undefined) out.cause = depth < 4 && error.cause instanceof Error ? serializeError(error.cause, depth + 1) : error.cause;
  if (error instanceof AggregateError) out.errors = error.errors.slice(0, 10).map((e) => (e instanceof Error ? serializeError(e, depth + 1) : e));
  return out;
}

function scrub(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return redact(value);
  if (depth > 8 || value === null || typeof value !== 'object') return value;
  // Errors first: copying only enumerable fields would log them as {}.
  if (value instanceof Error) return scrub(serializeError(value, 0), depth + 1);
  if (Array.isArray(value)) return value.map((item) => scrub(item, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) out[key] = scrub(item, depth + 1);
  return out;
}

export function createLogger(level: string, destination?: DestinationStream): Logger {
  const options: LoggerOptions = {
    level,
    base: { service: 'nhsmail-care-assistant' },
    serializers: {
      // Already plain (scrubbed in logMethod); pino's own would rename it "Object".
      err: (error: unknown) => scrub(error),
    },
    formatters: {
      log: (object) => scrub(object) as Record<string, unknown>,
    },
    hooks: {
      logMethod(args, method) {
        // logger.error(err, 'msg') logs the error under `err`, as pino would.
        const [first, ...rest] = args as unknown[];
        const shaped = first instanceof Error ? [{ err: first }, ...rest] : [first, ...rest];
        method.apply(this, shaped.map((arg) => scrub(arg)) as Parameters<typeof method>);
      },
    },
  };
  return destination ? pino(options, destination) : pino(options);
}
