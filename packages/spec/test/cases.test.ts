import { readdirSync, readFileSync } from 'node:fs';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';

const SPEC_DIR = new URL('../', import.meta.url);
const BUCKET_SCALE = 100_000;
const HASH_RANGE = 2 ** 32;
const MIN_CASES = 200;
const MIN_BUCKET_VECTORS = 40;

interface CaseFile {
  title: string;
  cases: { name: string }[];
  bucketVectors?: { salt: string; unitId: string; hash: number; bucket: number }[];
}

function readJson(relativePath: string): unknown {
  return JSON.parse(readFileSync(new URL(relativePath, SPEC_DIR), 'utf8'));
}

const index = readJson('index.json') as { version: number; files: string[] };
const caseFileNames = readdirSync(new URL('cases/', SPEC_DIR)).filter((name) => name.endsWith('.json'));
const caseFiles = index.files.map((path) => ({ path, data: readJson(path) }));

function fileNumber(path: string): number {
  const match = /^cases\/(\d{2})-[a-z0-9]+(?:-[a-z0-9]+)*\.json$/.exec(path);
  if (!match?.[1]) throw new Error(`${path} is not cases/NN-kebab-topic.json`);
  return Number(match[1]);
}

describe('spec index', () => {
  it('has version 1', () => {
    expect(index.version).toBe(1);
  });

  it('lists exactly the files in cases/', () => {
    expect([...index.files].sort()).toEqual(caseFileNames.map((name) => `cases/${name}`).sort());
  });

  it('lists the files in numeric order with unique numbers', () => {
    const numbers = index.files.map(fileNumber);
    expect(new Set(numbers).size).toBe(numbers.length);
    expect(numbers).toEqual([...numbers].sort((a, b) => a - b));
  });
});

describe('case files', () => {
  const validate = new Ajv2020({ allErrors: true }).compile(readJson('schema.json') as object);

  it.each(caseFiles)('$path matches schema.json', ({ data }) => {
    const valid = validate(data);
    expect(validate.errors ?? []).toEqual([]);
    expect(valid).toBe(true);
  });

  it.each(caseFiles)('$path has unique case names', ({ data }) => {
    const names = (data as CaseFile).cases.map((c) => c.name);
    const duplicates = names.filter((name, i) => names.indexOf(name) !== i);
    expect(duplicates).toEqual([]);
  });

  it(`hold at least ${MIN_CASES} cases and ${MIN_BUCKET_VECTORS} bucket vectors`, () => {
    const files = caseFiles.map(({ data }) => data as CaseFile);
    const cases = files.reduce((n, f) => n + f.cases.length, 0);
    const vectors = files.reduce((n, f) => n + (f.bucketVectors?.length ?? 0), 0);
    expect(cases).toBeGreaterThanOrEqual(MIN_CASES);
    expect(vectors).toBeGreaterThanOrEqual(MIN_BUCKET_VECTORS);
  });

  it('give each bucket vector the bucket of its hash', () => {
    const vectors = caseFiles.flatMap(({ data }) => (data as CaseFile).bucketVectors ?? []);
    for (const v of vectors) {
      expect(v.bucket, `${v.salt}.${v.unitId}`).toBe(Math.floor((v.hash * BUCKET_SCALE) / HASH_RANGE));
    }
  });
});
