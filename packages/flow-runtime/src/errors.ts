const BRAND = Symbol.for('pocketdock.FlowRuntimeError');

/** Every code a {@link FlowRuntimeError} can carry (listed in the README). */
export const FLOW_RUNTIME_ERROR_CODES = ['FLOW_NOT_CONNECTED', 'FLOW_CLOSED', 'FLOW_INVALID_EVENT', 'FLOW_INVALID_OPTIONS'] as const;
export type FlowRuntimeErrorCode = (typeof FLOW_RUNTIME_ERROR_CODES)[number];

/** The error of @pocketdock/flow-runtime; branch on `code`. */
export class FlowRuntimeError extends Error {
  readonly code: FlowRuntimeErrorCode;

  constructor(code: FlowRuntimeErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'FlowRuntimeError';
    this.code = code;
    Object.defineProperty(this, BRAND, { value: true });
  }

  /** True for a FlowRuntimeError from any copy of this package. */
  static is(value: unknown): value is FlowRuntimeError {
    return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[BRAND] === true;
  }
}
