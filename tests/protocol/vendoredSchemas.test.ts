import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { schemasDir, upstreamSpecDir, vendoredSpecDir } from '../helpers/aaepSchemas.js';

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => path.relative(dir, path.join(entry.parentPath, entry.name)))
    .sort();
}

const upstreamSchemas = path.join(upstreamSpecDir, 'schemas');

describe('the vendored AAEP schemas', () => {
  it('carry the spec licence and the NOTICE that credits it', () => {
    expect(readFileSync(path.join(vendoredSpecDir, 'LICENSE-CC-BY-4.0'), 'utf8')).toMatch(/Attribution 4\.0 International/);
    expect(readFileSync(path.join(vendoredSpecDir, 'NOTICE'), 'utf8')).toMatch(/AAEP/);
    expect(filesUnder(schemasDir)).toEqual(expect.arrayContaining(['context/aaep-v1.jsonld', 'envelope.schema.json']));
  });

  // The upstream checkout is a reference, never a requirement: a fresh clone has none.
  it.skipIf(!existsSync(upstreamSchemas))('are byte for byte the upstream spec checkout beside the repository, when there is one', () => {
    expect(filesUnder(schemasDir)).toEqual(filesUnder(upstreamSchemas));
    for (const file of filesUnder(upstreamSchemas)) {
      expect(readFileSync(path.join(schemasDir, file)), file).toEqual(readFileSync(path.join(upstreamSchemas, file)));
    }
    for (const file of ['LICENSE-CC-BY-4.0', 'NOTICE']) {
      expect(readFileSync(path.join(vendoredSpecDir, file)), file).toEqual(readFileSync(path.join(upstreamSpecDir, file)));
    }
  });
});
