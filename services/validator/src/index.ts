export { createValidatorService, type ValidatorOptions } from './validator-service.js';
export { validateBatch, type ValidateContext, type ValidatedBatch } from './core/validate-batch.js';
export { loadUsersPerHost, UsersPerHostError, type UsersPerHost } from './core/users-per-host.js';
