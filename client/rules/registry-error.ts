/**
 * The one error type the registry library throws. `class` uses the same names the gate uses for task
 * failures, so a worker can report `error.class` unchanged.
 */
export type RegistryErrorClass = 'NETWORK' | 'RATE_LIMITED' | 'REGISTRY_ERROR' | 'CHALLENGE' | 'PARSE';

export interface RegistryErrorDetails {
  /** Machine-readable detail inside the class, e.g. `error-page`, `captcha`, `no-search`, `http-503`. */
  reason?: string;
  url?: string;
  status?: number;
  /** For RATE_LIMITED: how long the registry asked us to wait. */
  retryAfterMs?: number;
  cause?: unknown;
}

export class RegistryError extends Error {
  override readonly name = 'RegistryError';
  readonly class: RegistryErrorClass;
  readonly reason?: string;
  readonly url?: string;
  readonly status?: number;
  readonly retryAfterMs?: number;

  constructor(errorClass: RegistryErrorClass, message: string, details: RegistryErrorDetails = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.class = errorClass;
    this.reason = details.reason;
    this.url = details.url;
    this.status = details.status;
    this.retryAfterMs = details.retryAfterMs;
  }

  toJSON(): Record<string, unknown> {
    return { class: this.class, reason: this.reason, message: this.message, url: this.url, status: this.status };
  }
}

export function isRegistryError(error: unknown, errorClass?: RegistryErrorClass): error is RegistryError {
  return error instanceof RegistryError && (errorClass === undefined || error.class === errorClass);
}
