/** `oie-audit simulate`: serve a simulated Okta org on loopback until SIGINT/SIGTERM. */
import type { SimulateArgs } from './options.js';
import { startSimulator } from '../simulator/server.js';
import { parseFaultSpec, NO_FAULTS } from '../simulator/faults.js';
import { parseLimitOverrides } from '../simulator/rate_limits.js';
import { dumpFixture } from '../simulator/org/fixture.js';
import { readFileSync } from 'node:fs';
import { AuditError } from '../errors.js';
import type { OAuthClientConfig } from '../simulator/auth.js';
import { ALL_READ_SCOPES } from '../simulator/routes.js';


export async function runSimulate(args: SimulateArgs): Promise<void> {
  let faults = NO_FAULTS;
  let limits: Record<string, number> = {};
  try {
    faults = args.faults ? parseFaultSpec(args.faults) : NO_FAULTS;
    limits = parseLimitOverrides(args.limit);
  } catch (e) {
    throw new AuditError('ERR_USAGE', (e as Error).message);
  }
  for (const [flag, value, min] of [['--users', args.users, 0], ['--window-ms', args['window-ms'], 1],
    ['--concurrency-limit', args['concurrency-limit'], 1], ['--latency-ms', args['latency-ms'], 0]] as const) {
    if (!Number.isInteger(value) || value < min) throw new AuditError('ERR_USAGE', `${flag}: expected a whole number >= ${min}, got ${value}`);
  }
  if (args.day !== undefined && (!Number.isInteger(args.day) || args.day < 0)) throw new AuditError('ERR_USAGE', `--day: expected a whole number >= 0, got ${args.day}`);
  if (args.fixture && (args.day !== undefined || args.upgraded)) throw new AuditError('ERR_USAGE', '--day and --upgraded apply to the generated org, not to a --fixture; drop one of them');
  if (args.upgraded && args.pipeline !== 'v1') throw new AuditError('ERR_USAGE', '--upgraded serves a Classic org after its upgrade: use it with --pipeline v1');
  const oauthClients = args['oauth-client'].map(parseOAuthClient);
  const sim = await startSimulator({
    oauthClients,
    host: args.host, port: args.port, users: args.users, seed: args.seed, pipeline: args.pipeline,
    ...(args.fixture ? { fixture: args.fixture } : {}),
    ...(args.day !== undefined ? { day: args.day } : {}), ...(args.upgraded ? { upgraded: true } : {}),
    ...(args.token ? { token: args.token } : {}),
    windowMs: args['window-ms'], limits, concurrencyLimit: args['concurrency-limit'], latencyMs: args['latency-ms'], faults,
  });
  process.stdout.write(`${sim.url}\n`);
  if (!args.token) process.stdout.write(`token ${sim.token}\n`);
  if (args['dump-fixture']) {
    await dumpFixture(sim.source, args['dump-fixture']);
    process.stderr.write(`fixture written to ${args['dump-fixture']}\n`);
  }
  await new Promise<void>((resolve) => {
    const stop = () => { sim.close().then(resolve, resolve); };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
}

/** `CLIENT_ID=PUBLIC_KEY_PEM_FILE[=scope,scope…]` */
function parseOAuthClient(value: string): OAuthClientConfig {
  const [clientId, file, scopes] = value.split('=');
  if (!clientId || !file) throw new AuditError('ERR_USAGE', `--oauth-client ${value}: expected CLIENT_ID=PUBLIC_KEY_PEM_FILE[=scope,scope]`);
  let publicKey: string;
  try {
    publicKey = readFileSync(file, 'utf8');
  } catch (e) {
    throw new AuditError('ERR_USAGE', `--oauth-client: cannot read the public key file ${file} (${(e as NodeJS.ErrnoException).code ?? 'error'}). Give the path of a PEM (SPKI) public key`);
  }
  return { clientId, publicKey, grantedScopes: scopes ? scopes.split(',').filter(Boolean) : [...ALL_READ_SCOPES] };
}
