/**
 * `@cctap/validator/internal`: the pure core the benchmarks measure without a bus. Not part of the package's
 * public surface.
 */
export { validateBatch } from './core/validate-batch.js';
