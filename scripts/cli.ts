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
