/** @cctap/validator: the trust boundary between the collectors and everything downstream (DESIGN section 1). */
export { createValidatorService } from './validator-service.js';
export { loadUsersPerHost, UsersPerHostError, type UsersPerHost } from './core/users-per-host.js';
