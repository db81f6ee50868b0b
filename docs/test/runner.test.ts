import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readPageSamples } from './markdown-blocks.js';
import { runPage } from './run-page.js';
import { REPO_ROOT, SAMPLES_DIR } from './sample-runner.js';

/** Whether a process runs (a zombie, killed but not yet reaped by its new parent, does not). */
async function running(pid: number): Promise<boolean> {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '');
  return stat !== '' && !/^\d+ \(.*\) Z/.test(stat);
}

// The runner on temporary pages, never real ones: it must fail where a reader would be misled.
describe('docs sample runner', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'switchboard-docs-runner-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
    // A failing sample's file is kept for debugging; these failed on purpose.
    const name = relative(join(REPO_ROOT, 'docs'), dir).replace(/[^a-zA-Z0-9]+/g, '-');
    for (const file of await readdir(SAMPLES_DIR).catch(() => [])) {
      if (file.startsWith(name)) await rm(join(SAMPLES_DIR, file), { force: true });
    }
  });

  async function page(name: string, markdown: string): Promise<string> {
    const file = join(dir, name);
    await writeFile(file, markdown);
    return file;
  }

  it('runs blocks in order with the keys, and checks their output', async () => {
    const file = await page(
      'passing.md',
      [
        '# Passing',
        '',
        '```sh run',
        'switchboard flags create docs-check --kind boolean > /dev/null',
        'curl -sf "$SWITCHBOARD_URL/api/v1/sdk/snapshot" -H "authorization: Bearer $SWITCHBOARD_SERVER_KEY" > "$SWITCHBOARD_DATA_DIR/snapshot.json"',
        '```',
        '',
        '```ts run',
        "import { readFile } from 'node:fs/promises';",
        "const snapshot = await readFile(process.env.SWITCHBOARD_DATA_DIR + '/snapshot.json', 'utf8');",
        "console.log(snapshot.includes('docs-check') ? 'flag seen' : 'flag missing');",
        '```',
        '',
        'It prints:',
        '',
        '```text output',
        '  flag seen  ',
        '```',
        '',
      ].join('\n'),
    );
    await expect(runPage(file)).resolves.toEqual({ blocksRun: 2 });
  });

  it('fails on a sample that exits non-zero, naming its page and line', async () => {
    const file = await page(
      'failing.md',
      ['# Failing', '', '```sh run', 'echo before', 'false', 'echo after', '```', ''].join('\n'),
    );
    await expect(runPage(file)).rejects.toThrow(`${relative(REPO_ROOT, file)}:3: the sample exited with 1`);
  });

  it('fails when an expected output line is missing', async () => {
    const file = await page(
      'missing-output.md',
      [
        '```ts run',
        "console.log('variant: control');",
        '```',
        '',
        '```text output',
        'variant: candidate',
        '```',
        '',
      ].join('\n'),
    );
    await expect(runPage(file)).rejects.toThrow(
      `${relative(REPO_ROOT, file)}:1: the sample's output lacks "variant: candidate"`,
    );
  });

  it('fails a sample that runs over its time, and ends what it started', async () => {
    const pidFile = join(dir, 'background.pid');
    const file = await page(
      'slow.md',
      ['```sh run', 'sleep 20 &', `echo $! > ${pidFile}`, 'sleep 20', '```', ''].join('\n'),
    );
    const started = Date.now();
    await expect(runPage(file, 500)).rejects.toThrow(
      `${relative(REPO_ROOT, file)}:1: the sample ran over 500 ms`,
    );
    expect(Date.now() - started).toBeLessThan(10_000);
    const pid = Number(await readFile(pidFile, 'utf8'));
    await expect.poll(() => running(pid), { timeout: 5_000 }).toBe(false);
  });

  it('seeds the demo flags when the page asks for them', async () => {
    const file = await page(
      'demo.md',
      [
        '<!-- docs-test: demo -->',
        '',
        '```sh run',
        'switchboard flags list',
        '```',
        '',
        '```text output',
        'llm-model',
        'prompt-variant',
        'ai-agent',
        '```',
        '',
      ].join('\n'),
    );
    await expect(runPage(file)).resolves.toEqual({ blocksRun: 1 });
  });

  it('reads only `ts run` and `sh run` blocks, and refuses misplaced or unknown runnable blocks', () => {
    const samples = readPageSamples(
      ['```ts', 'shown();', '```', '', '```sh run', 'echo hi', '```', '```text output', 'hi', '```'].join(
        '\n',
      ),
      'page.md',
    );
    expect(samples).toEqual({
      blocks: [{ language: 'sh', code: 'echo hi', line: 5, expectedOutput: ['hi'] }],
      demo: false,
    });
    expect(readPageSamples('Mark a page with `<!-- docs-test: demo -->`.', 'page.md').demo).toBe(false);
    expect(readPageSamples('# Demo\n\n<!-- docs-test: demo -->\n', 'page.md').demo).toBe(true);
    expect(() => readPageSamples(['```py run', 'print(1)', '```'].join('\n'), 'page.md')).toThrow(
      'page.md:1: runnable blocks are `ts run` or `sh run`, not `py run`',
    );
    expect(() =>
      readPageSamples(['```sh', 'echo hi', '```', '```text output', 'hi', '```'].join('\n'), 'page.md'),
    ).toThrow('page.md:4: a `text output` block must follow a runnable block directly');
  });
});
