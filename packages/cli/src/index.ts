export { main } from './program.js';
export { CliError, CLI_ERROR_CODES, EXIT } from './errors.js';
export type { CliErrorCode } from './errors.js';
export { VERSION } from './version.js';
