import { parseArgs, type ParseArgsConfig } from 'node:util';

/** Runs a command-line `main(argv, env) → exit code`; an unexpected failure prints its stack and exits 1. */
export function runCommand(main: (argv: readonly string[], env: NodeJS.ProcessEnv) => Promise<number>): void {
  main(process.argv.slice(2), process.env).then(
    (code) => {
      process.exitCode = code;
    },
    (e: unknown) => {
      process.stderr.write(`${e instanceof Error ? e.stack : String(e)}\n`);
      process.exitCode = 1;
    },
  );
}

/** A command line that cannot be used as given: the message says why (exit code 2). */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/**
 * A command's options, read with Node's own `util.parseArgs` (strict: unknown options and
 * positionals are refused). Its errors become a `UsageError` with a short message.
 */
export function readOptions<T extends NonNullable<ParseArgsConfig['options']>>(argv: readonly string[], options: T) {
  try {
    return parseArgs({ args: [...argv], options, strict: true, allowPositionals: false }).values;
  } catch (error) {
    const message = (error instanceof Error ? error.message : String(error))
      .replace(/^TypeError \[\w+\]: /, '')
      .replace(/\. To specify a positional argument.*$/s, '')
      .replace(/^Unknown option '(.*)'$/, 'unknown option $1');
    throw new UsageError(message);
  }
}
