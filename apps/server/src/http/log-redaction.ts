/** Where log lines go (a pino destination); tests pass one to read what is logged. */
export interface LogStream {
  write(line: string): void;
}

/** An API key as {@link ApiKeyService} makes them: `sb_<kind>_` then 32 base62 characters. */
const API_KEY_PATTERN = /sb_(admin|server|client)_[0-9A-Za-z]{32}/g;

/** The text with every API key in it replaced by `sb_<kind>_[redacted]`. */
export function redactKeys(text: string): string {
  return text.replace(API_KEY_PATTERN, 'sb_$1_[redacted]');
}

/**
 * The app's pino options, or false when silent. Keys never reach the log: the headers that carry
 * them are redacted by path, and a key written anywhere else (a query string, say) is cut out of the
 * logged URL; bodies are never logged.
 */
export function loggerOptions(level: string, stream?: LogStream) {
  if (level === 'silent') return false;
  return {
    level,
    redact: ['req.headers.authorization', 'req.headers["x-api-key"]', 'req.headers.cookie'],
    serializers: {
      req(request: { method: string; url: string; hostname?: string; ip?: string }) {
        return {
          method: request.method,
          url: redactKeys(request.url),
          hostname: request.hostname,
          remoteAddress: request.ip,
        };
      },
    },
    ...(stream === undefined ? {} : { stream }),
  };
}
