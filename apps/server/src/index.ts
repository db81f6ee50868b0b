export { type App, type AppOptions, createApp } from './app.js';
export { buildProgram, EXIT, runCli } from './cli.js';
export { type Config, ConfigError, loadConfig } from './config.js';
export { type Database, openDatabase } from './db/database.js';
export { migrateToLatest } from './db/migrations.js';
export {
  SIGNATURE_HEADER,
  type SignatureVerification,
  verifyWebhookSignature,
  WebhookReplayGuard,
  webhookSignature,
} from './features/webhooks/webhook-signature.js';
export { startServer } from './main.js';
