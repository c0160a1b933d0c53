import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const NOW = new Date('2025-06-15T12:00:00Z');
export const TOKEN = '00SecretTokenValue_abcdefghijklmnopqrstuvwxyz01';
export const ORG = 'https://acme.okta.com';

const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
export const RSA_PEM = rsa.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
export const RSA_PUBLIC_PEM = rsa.publicKey.export({ type: 'spki', format: 'pem' }).toString();
export const RSA_JWK = JSON.stringify({ ...rsa.privateKey.export({ format: 'jwk' }), kid: 'jwk-kid' });
export const EC_PEM = generateKeyPairSync('ec', { namedCurve: 'P-256' })
  .privateKey.export({ type: 'pkcs8', format: 'pem' })
  .toString();

/** Distinctive fragments of every secret a test uses; none may ever appear in output. */
export const SECRET_FRAGMENTS = [
  TOKEN,
  TOKEN.slice(10, 30),
  RSA_PEM.split('\n')[5] ?? '',
  EC_PEM.split('\n')[2] ?? '',
  (JSON.parse(RSA_JWK) as { d: string }).d.slice(0, 24),
  'SuperSecretPassword',
];

export function expectNoSecrets(text: string): void {
  for (const fragment of SECRET_FRAGMENTS) expect(text).not.toContain(fragment);
}

const dirs: string[] = [];

/** A fresh directory, removed by cleanupDirs(); optionally with ./config.yaml. */
export function tempDir(configYaml?: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'oie-audit-config-'));
  dirs.push(dir);
  if (configYaml !== undefined) writeFileSync(join(dir, 'config.yaml'), configYaml);
  return dir;
}

export function cleanupDirs(): void {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
}

/** YAML for an inline multi-line value under a two-space-indented key. */
export function yamlBlock(key: string, value: string): string {
  const lines = value.trimEnd().split('\n').map((line) => `    ${line}`);
  return `  ${key}: |\n${lines.join('\n')}\n`;
}
