import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { loadConfig } from '../../src/config/load.js';
import { DEFAULTS, ENV_VARS, FLAGS, SETTINGS, settingPaths } from '../../src/config/schema.js';
import { cleanupDirs, NOW, TOKEN, tempDir } from './helpers.js';

afterAll(cleanupDirs);

const examplePath = fileURLToPath(new URL('../../config.example.yaml', import.meta.url));
const exampleText = readFileSync(examplePath, 'utf8');
const example = parse(exampleText) as Record<string, unknown>;

/** Dotted paths of every leaf key in a parsed YAML document, blank values included. */
function leafPaths(node: unknown, prefix = ''): string[] {
  if (typeof node !== 'object' || node === null || Array.isArray(node)) return [prefix];
  return Object.entries(node).flatMap(([key, child]) => leafPaths(child, prefix ? `${prefix}.${key}` : key));
}

function valueAt(root: unknown, path: string): unknown {
  return path.split('.').reduce<unknown>((node, key) => (node as Record<string, unknown> | undefined)?.[key], root);
}

describe('config.example.yaml', () => {
  test('documents exactly the settings of the schema', () => {
    expect(leafPaths(example).sort()).toEqual(settingPaths().sort());
  });

  test('every setting has message metadata', () => {
    expect(Object.keys(SETTINGS).sort()).toEqual(settingPaths().sort());
  });

  test('shows each default as the value', () => {
    for (const path of leafPaths(DEFAULTS)) expect([path, valueAt(example, path)]).toEqual([path, valueAt(DEFAULTS, path)]);
  });

  test('names every env var and flag', () => {
    for (const name of Object.keys(ENV_VARS)) expect(exampleText).toContain(name);
    for (const { flag } of Object.values(FLAGS)) expect(exampleText).toContain(flag);
  });

  test('loads and validates with a token filled in', () => {
    const config = loadConfig({ configFile: examplePath, cwd: tempDir(), env: { OKTA_CLIENT_TOKEN: TOKEN }, now: NOW });
    expect(config.orgUrl).toBe('https://acme.okta.com');
    expect(config.auth.mode).toBe('SSWS');
    expect(config.configFile).toBe(examplePath);
  });

  test('loads with the token written into the file itself', () => {
    const dir = tempDir(exampleText.replace(/^  token:$/m, `  token: ${TOKEN}`));
    expect(loadConfig({ cwd: dir, env: {}, now: NOW }).auth.mode).toBe('SSWS');
  });
});
