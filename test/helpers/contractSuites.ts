/**
 * A contract test file exports its `describe…Contract(name, factory)` function and runs it for
 * its own implementations (memory, one Redis). The topology tests run the same contracts against
 * Redis Cluster and Sentinel: `importContracts(() => require('…contract.test'))` hands back the
 * file's exports without registering the suites the file runs for itself (those run in their
 * own file), so each topology file runs only its own.
 */

type Globals = Record<'describe' | 'fdescribe' | 'xdescribe' | 'it' | 'test' | 'fit' | 'xit' | 'beforeAll' | 'afterAll' | 'beforeEach' | 'afterEach', unknown>;

/** A stand-in for describe/it/hooks that registers nothing, with the same chainable shape. */
function inert(): unknown {
  const fn = (() => undefined) as unknown as Record<string, unknown>;
  for (const modifier of ['skip', 'only', 'concurrent', 'failing', 'todo']) {
    Object.defineProperty(fn, modifier, { get: inert, configurable: true });
  }
  fn.each = () => () => undefined;
  return fn;
}

export function importContracts<T>(load: () => T): T {
  const globals = globalThis as unknown as Globals;
  const names = Object.keys({
    describe: 0, fdescribe: 0, xdescribe: 0, it: 0, test: 0, fit: 0, xit: 0, beforeAll: 0, afterAll: 0, beforeEach: 0, afterEach: 0,
  } satisfies Record<keyof Globals, 0>) as (keyof Globals)[];
  const saved = names.map((name) => [name, globals[name]] as const);
  for (const name of names) globals[name] = inert();
  try {
    return load();
  } finally {
    for (const [name, value] of saved) globals[name] = value;
  }
}
