export { createValidatorService, type ValidatorOptions } from './validator-service.js';
export { validateBatch, type ValidateContext, type ValidatedBatch } from './core/validate-batch.js';
export { loadUsersPerHost, parseUsersPerHost, UsersPerHostError, type UsersPerHost } from './core/users-per-host.js';
export { DEFAULT_USAGE_BOUNDS, type UsageBounds } from './core/usage-bounds.js';
