/** A clock the test moves by hand. */
export interface FakeClock {
  t: number;
  now: () => number;
  advance(ms: number): void;
}

export function fakeClock(start = Date.UTC(2025, 0, 6, 9, 0, 0)): FakeClock {
  const clock: FakeClock = {
    t: start,
    now: () => clock.t,
    advance: (ms) => {
      clock.t += ms;
    },
  };
  return clock;
}
