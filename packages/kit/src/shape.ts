/**
 * `@cctap/kit/shape`: what a command's declaration needs: the common config fields of the services and the
 * `--help` of a config shape. zod and nothing else of the kit's dependencies (no yaml, prom-client or NATS
 * client), so that `cctap collect --help` answers before the command loads what its work needs.
 */
export { baseConfigShape, natsConfigShape } from './config/common-shape.js';
export { helpOf } from './config/config-help.js';
