/** Every container a flow-manager creates carries its instance name here (and pocketdock's own labels). */
export const LABEL_INSTANCE = 'pocketdock.flow-manager';
/** The random key of the container's socket directory on the host (`{socketDir}/mounts/{key}`). */
export const LABEL_SOCKET_KEY = 'pocketdock.flow.socket-key';
/** Where the service-owned code (`code_path` at creation) is mounted in the container; absent: not updatable. */
export const LABEL_CODE_TARGET = 'pocketdock.flow.code-target';
/** The names (never the values) of the environment the payload gave, comma-separated. */
export const LABEL_ENV_KEYS = 'pocketdock.flow.env-keys';

/** The container-sdk project of an instance's containers (`pocketdock.project`): how they are listed. */
export const projectOf = (instance: string): string => `flow-manager.${instance}`;
