import os from 'node:os';
import { scaled, timeoutScale } from '../helpers/timeouts';

/**
 * The fresh-machine promise: tests that wait for processes scale their waits with the machine's
 * load (or TEST_TIMEOUT_SCALE) instead of failing on a busy machine.
 */

describe('waits scaled to the machine', () => {
  const saved = process.env.TEST_TIMEOUT_SCALE;
  afterEach(() => {
    if (saved === undefined) delete process.env.TEST_TIMEOUT_SCALE;
    else process.env.TEST_TIMEOUT_SCALE = saved;
    jest.restoreAllMocks();
  });

  it('TEST_TIMEOUT_SCALE, when set, decides', () => {
    process.env.TEST_TIMEOUT_SCALE = '3';
    expect(timeoutScale()).toBe(3);
    expect(scaled(10_000)).toBe(30_000);
  });

  it('otherwise follows the load per core (× 1.5), never below 1 nor above 6', () => {
    delete process.env.TEST_TIMEOUT_SCALE;
    jest.spyOn(os, 'cpus').mockReturnValue(new Array(2).fill(os.cpus()[0]));
    const load = jest.spyOn(os, 'loadavg');
    load.mockReturnValue([0.1, 0, 0]);
    expect(timeoutScale()).toBe(1);
    load.mockReturnValue([4, 0, 0]);
    expect(timeoutScale()).toBe(3);
    expect(scaled(2_000)).toBe(6_000);
    load.mockReturnValue([40, 0, 0]);
    expect(timeoutScale()).toBe(6);
  });

  it('a TEST_TIMEOUT_SCALE that is not a positive number is ignored', () => {
    jest.spyOn(os, 'loadavg').mockReturnValue([0, 0, 0]);
    for (const value of ['0', '-2', 'fast']) {
      process.env.TEST_TIMEOUT_SCALE = value;
      expect(timeoutScale()).toBe(1);
    }
  });
});
