/**
 * The frameworks stay optional: the main entry point loads none of them; only the
 * integration subpaths do. Checked in a fresh Node process whose module loader
 * reports every module it resolves.
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../', import.meta.url));
const FRAMEWORK = /\/node_modules\/(ai|@ai-sdk\/[^/]+|@langchain\/[^/]+|@arizeai\/[^/]+|@openai\/[^/]+)\//;

const HOOKS = `let port; export function initialize(data) { port = data.port; }
export async function resolve(specifier, context, next) { const result = await next(specifier, context); port.postMessage(result.url); return result; }`;

/** The framework packages a fresh process loads when it imports `entry`. */
async function frameworksLoadedBy(entry: string): Promise<string[]> {
  const script = `
    import { register } from 'node:module';
    import { MessageChannel } from 'node:worker_threads';
    const { port1, port2 } = new MessageChannel();
    const urls = [];
    port1.on('message', (url) => urls.push(url));
    register('data:text/javascript,' + encodeURIComponent(${JSON.stringify(HOOKS)}), { data: { port: port2 }, transferList: [port2] });
    await import(${JSON.stringify(entry)});
    setTimeout(() => { console.log(JSON.stringify(urls)); process.exit(0); }, 200);
  `;
  const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: root });
  const urls = JSON.parse(stdout.trim().split('\n').at(-1)!) as string[];
  expect(urls.length).toBeGreaterThan(10);
  return [...new Set(urls.map((url) => FRAMEWORK.exec(url)?.[1]).filter((name): name is string => name !== undefined))].sort();
}

describe('optional framework dependencies', () => {
  it("importing the main entry point loads no framework module", async () => {
    expect(await frameworksLoadedBy('./src/index.ts')).toEqual([]);
  }, 30_000);

  it('aaep-otel/langchain loads LangChain and OpenInference, so the check above can see them', async () => {
    expect(await frameworksLoadedBy('./src/integrations/langchain/index.ts')).toEqual(expect.arrayContaining(['@arizeai/openinference-core', '@langchain/core']));
  }, 30_000);
});
