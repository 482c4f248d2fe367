import pino, { DestinationStream, Logger, LoggerOptions } from 'pino';

/**
 * JSON logs with personal data taken out: email addresses, phone numbers and anything that
 * looks like a one-time passcode never reach a log line, wherever they appear in it.
 */

const EMAIL = /[A-Z0-9._%+'-]+@[A-Z0-9-]+(?:\.[A-Z0-9-]+)+/gi;
// International or national numbers of 10 or more digits, with the usual separators.
const PHONE = /(?:\+|\b00|\b0)\d(?:[\s().-]*\d){8,13}\b/g;
// 8 characters of the passcode alphabet, possibly split 4-4, containing a digit and a letter.
const PASSCODE = /\b(?=[A-Z2-9\s-]{8,9}\b)(?=[A-Z\s-]*[2-9])(?=[2-9\s-]*[A-Z])[A-HJ-NP-Z2-9]{4}[\s-]?[A-HJ-NP-Z2-9]{4}\b/gi;

export function redact(text: string): string {
  return text.replace(EMAIL, '[email]').replace(PHONE, '[phone]').replace(PASSCODE, '[code]');
}

function scrub(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return redact(value);
  if (depth > 8 || value === null || typeof value !== 'object') return value;
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
      err: (error: unknown) => scrub(pino.stdSerializers.err(error as Error)),
    },
    formatters: {
      log: (object) => scrub(object) as Record<string, unknown>,
    },
    hooks: {
      logMethod(args, method) {
        method.apply(this, args.map((arg) => scrub(arg)) as Parameters<typeof method>);
      },
    },
  };
  return destination ? pino(options, destination) : pino(options);
}
