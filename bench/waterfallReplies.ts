/**
 * What the waterfall bot (bench/waterfallBot.ts) says, and what the load generator types to it.
 * Kept apart from waterfallBot.ts so that the benchmark can check replies without importing
 * botbuilder or restify (restify patches node's http.ServerResponse when it is loaded).
 */

export const WATERFALL = {
  greeting: 'Welcome. Say anything to fill in your profile.',
  transport: 'Which way do you travel?',
  name: 'And your name?',
  thanks: (name: string) => `Thank you, ${name}.`,
  askAge: 'Would you like to tell me your age?',
  age: 'How old are you?',
  ageRetry: 'Please give an age from 1 to 149.',
  ageIs: (age: number) => `Your age: ${age}.`,
  noAge: 'No age given.',
  confirm: 'Shall I keep this?',
  summary: (transport: string, name: string, age: number) =>
    `Kept: you travel by ${transport}, your name is ${name}${age === -1 ? '' : `, you are ${age}`}.`,
  notKept: 'Nothing kept.',
} as const;

/** The 7 messages after the conversation start: the whole profile, then a new one begun. */
export const WATERFALL_SCRIPT = ['hi', 'Bus', 'Alex', 'yes', '42', 'yes', 'hello'] as const;
