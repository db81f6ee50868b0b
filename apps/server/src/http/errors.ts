/**
 * Errors domain code throws. One place (error-handler.ts) maps each to its HTTP status; every error
 * body is `{ error, message, field?, ... }`, and `message` names the field when one is at fault.
 */
export class DomainError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly code: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** A request that is well formed but says something impossible (an unknown variant, a bad regex...). */
export class ValidationError extends DomainError {
  constructor(
    readonly field: string,
    problem: string,
  ) {
    super(`${field}: ${problem}`, 400, 'VALIDATION_FAILED', { field });
  }
}

export class NotFoundError extends DomainError {
  constructor(what: string, key: string) {
    super(`${what} ${JSON.stringify(key)} not found`, 404, 'NOT_FOUND', { resource: what, key });
  }
}

/** The key already exists. */
export class AlreadyExistsError extends DomainError {
  constructor(what: string, key: string) {
    super(`${what} ${JSON.stringify(key)} already exists`, 409, 'ALREADY_EXISTS', { resource: what, key });
  }
}

/** The change was based on a version that is no longer current: reload and retry. */
export class VersionConflictError extends DomainError {
  constructor(what: string, key: string, expected: number, current: number) {
    super(
      `${what} ${JSON.stringify(key)} is at version ${current}, not ${expected}: reload it and apply your change again`,
      409,
      'VERSION_CONFLICT',
      { resource: what, key, currentVersion: current },
    );
  }
}

/** A change that did not say which version it read. */
export class VersionRequiredError extends DomainError {
  constructor() {
    super(
      'this change must carry the version it read: send an If-Match header or a "version" field',
      428,
      'VERSION_REQUIRED',
    );
  }
}

/** The resource cannot change this way in its current state (a segment still used by flags...). */
export class StateConflictError extends DomainError {
  constructor(message: string, details: Record<string, unknown> = {}) {
    super(message, 409, 'CONFLICT', details);
  }
}

export class UnauthorizedError extends DomainError {
  constructor(message = 'a valid API key is required (Authorization: Bearer <key>)') {
    super(message, 401, 'UNAUTHORIZED');
  }
}

export class ForbiddenError extends DomainError {
  constructor(message: string) {
    super(message, 403, 'FORBIDDEN');
  }
}
