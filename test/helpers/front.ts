/** The round-robin front the scale tests put before several bot instances (bench/front.ts, shared with the benchmark). */
export { Front, startFront } from '../../bench/front';
