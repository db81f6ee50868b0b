/** An error answer of the API: `{ error, message, field?, currentVersion?, ... }` with its status. */
export class ApiError extends Error {
  override name = 'ApiError';

  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    /** The field at fault, as the server names it (`body.variants.1.value`). */
    readonly field: string | undefined,
    readonly body: Readonly<Record<string, unknown>>,
  ) {
    super(message);
  }

  /** The change was based on a version that is no longer current. */
  get isVersionConflict(): boolean {
    return this.status === 409 && this.code === 'VERSION_CONFLICT';
  }

  /** The message without the field's name in front (the field is shown where the message is). */
  get problem(): string {
    return this.field !== undefined && this.message.startsWith(`${this.field}: `)
      ? this.message.slice(this.field.length + 2)
      : this.message;
  }
}

/** The error of a failed fetch or an unreadable answer: the server could not be reached. */
export class NetworkError extends Error {
  override name = 'NetworkError';
}
