/** What the CLI's exit codes mean, for scripts. */
export const EXIT = {
  ok: 0,
  failed: 1,
  usage: 2,
  unreachable: 3,
  notFound: 4,
  conflict: 5,
  denied: 6,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** Printed at the end of `switchboard --help`. */
export const EXIT_CODES_HELP =
  'Exit codes: 0 ok, 1 failed, 2 usage error or invalid configuration, 3 server unreachable, ' +
  '4 not found, 5 conflict (stale version or already exists), 6 unauthorized or forbidden.';

/** A failure the CLI reports with its message on stderr and this exit code. */
export class CliError extends Error {
  override name = 'CliError';
  constructor(
    message: string,
    readonly exitCode: ExitCode,
  ) {
    super(message);
  }
}

/** The exit code for an HTTP error status. */
export function exitCodeForStatus(status: number): ExitCode {
  if (status === 404) return EXIT.notFound;
  if (status === 409) return EXIT.conflict;
  if (status === 401 || status === 403) return EXIT.denied;
  return EXIT.failed;
}
