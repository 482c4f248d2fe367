/**
 * What the echo bot (bench/echoBot.ts) answers. Kept apart from echoBot.ts so that the benchmark
 * can check replies without importing restify: restify patches node's http.ServerResponse when it
 * is loaded, which would break the local channel's own HTTP server in the benchmark process.
 */

export const ECHO_GREETING = 'Hello from the echo bot.';

export function echoText(text: string): string {
  return `You said: ${text}`;
}
