/**
 * The URL of a worker module next to the module at `from` (its import.meta.url). Under jest the
 * sources are TypeScript, which Node 20 cannot start as a worker: the built file (npm test builds
 * first) stands in for it.
 */
export function workerUrl(from: string, name: string): URL {
  const url = new URL(`${name}.js`, from);
  if (!from.endsWith('.ts')) return url;
  const at = url.href.lastIndexOf('/src/');
  return new URL(`${url.href.slice(0, at)}/dist/${url.href.slice(at + '/src/'.length)}`);
}
