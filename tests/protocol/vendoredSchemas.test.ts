import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { schemasDir, vendoredSpecDir } from '../helpers/aaepSchemas.js';

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => path.relative(dir, path.join(entry.parentPath, entry.name)))
    .sort();
}

/** vendor/aaep-spec/SHA256SUMS, written by `sha256sum` when the copy was taken from the spec's repository. */
function recordedSums(): Map<string, string> {
  const lines = readFileSync(path.join(vendoredSpecDir, 'SHA256SUMS'), 'utf8').split('\n').filter((line) => line !== '');
  return new Map(lines.map((line) => {
    const [sum, file] = line.split(/\s+\*?/, 2) as [string, string];
    return [file, sum];
  }));
}

describe('the vendored AAEP schemas', () => {
  it('carry the spec licence and the NOTICE that credits it', () => {
    expect(readFileSync(path.join(vendoredSpecDir, 'LICENSE-CC-BY-4.0'), 'utf8')).toMatch(/Attribution 4\.0 International/);
    expect(readFileSync(path.join(vendoredSpecDir, 'NOTICE'), 'utf8')).toMatch(/AAEP/);
    expect(filesUnder(schemasDir)).toEqual(expect.arrayContaining(['context/aaep-v1.jsonld', 'envelope.schema.json']));
  });

  // Checked against the sums recorded when they were copied, so nothing beside the repository is needed.
  it('are byte for byte the copy recorded in SHA256SUMS, no file added or missing', () => {
    const recorded = recordedSums();
    const present = filesUnder(vendoredSpecDir).filter((file) => file !== 'SHA256SUMS');
    expect(present).toEqual([...recorded.keys()].sort());
    for (const file of present) {
      const sum = createHash('sha256').update(readFileSync(path.join(vendoredSpecDir, file))).digest('hex');
      expect(sum, file).toBe(recorded.get(file));
    }
  });
});
