/**
 * Waits for processes (a bot starting, Redis answering, a build, a failover) take longer on a
 * loaded machine. Tests scale those waits instead of failing: by TEST_TIMEOUT_SCALE when set,
 * otherwise by how loaded the machine is now (1-minute load average per core × 1.5), between 1
 * and 6. One definition, shared with the topologies the benchmark builds (bench/redisProcess.ts).
 */
export { timeScale as timeoutScale, scaled } from '../../bench/redisProcess';
