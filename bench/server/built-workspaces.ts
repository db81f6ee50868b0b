/**
 * Benchmarks that start servers or SDK clients in processes of their own measure what users run: the
 * built packages (`dist/`, as `npm install` leaves them), not sources through a TypeScript loader
 * (tsx wraps every closure it creates, which alone cost ~10% of an SDK's work per streamed change).
 * So a run first brings `dist/` up to date: `tsc -b` is incremental and quick when nothing changed.
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));

export async function buildWorkspaces(): Promise<void> {
  await promisify(execFile)('npm', ['run', '--silent', 'build'], { cwd: REPO_ROOT });
}
