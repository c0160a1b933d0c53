/** `oie-audit simulate`: serve a simulated Okta org on loopback until SIGINT/SIGTERM. */
import type { Argv } from 'yargs';
import { startSimulator } from '../simulator/server.js';
import { parseFaultSpec, NO_FAULTS } from '../simulator/faults.js';
import { BUCKET_NAMES, parseLimitOverrides } from '../simulator/rate_limits.js';
import { dumpFixture } from '../simulator/org/fixture.js';
import type { Pipeline } from '../simulator/org/types.js';
import { AuditError } from '../errors.js';

export function simulateOptions<T>(y: Argv<T>) {
  return y
    .option('port', { type: 'number', default: 0, describe: 'TCP port to listen on (0 picks a free one)' })
    .option('host', { type: 'string', default: '127.0.0.1', describe: 'Address to bind; loopback unless you mean otherwise' })
    .option('users', { type: 'number', default: 1000, describe: 'Number of users in the generated org' })
    .option('seed', { type: 'number', default: 1, describe: 'Seed of the generated org, its latency jitter and faults' })
    .option('pipeline', { choices: ['idx', 'v1'] as const, default: 'idx' as Pipeline, describe: 'Engine: idx = Identity Engine, v1 = Classic Engine' })
    .option('fixture', { type: 'string', describe: 'Serve exactly the objects in this fixture JSON file instead of a generated org' })
    .option('dump-fixture', { type: 'string', describe: 'Write the served org to this file in fixture format, then keep serving' })
    .option('token', { type: 'string', describe: 'API token the org accepts as "SSWS <token>" (default: a new random one, printed on the second line)' })
    .option('window-ms', { type: 'number', default: 60_000, describe: 'Rate-limit window length in ms; shorter compresses time for benchmarks' })
    .option('limit', { type: 'string', array: true, default: [] as string[], describe: `Per-bucket limit per window, BUCKET=N, repeatable (buckets: ${BUCKET_NAMES.join(', ')})` })
    .option('concurrency-limit', { type: 'number', default: 75, describe: 'Org-wide limit of simultaneous requests (Okta Workforce default 75)' })
    .option('latency-ms', { type: 'number', default: 0, describe: 'Latency added to every response, plus seeded jitter of up to half of it' })
    .option('faults', { type: 'string', describe: 'Fault rates, e.g. 500=0.01,502=0.01,503=0.01,reset=0.01,slow=0.005,malformed=0.01,deleted=0.002,slowMs=35000,seed=7' });
}

type SimulateArgs = Awaited<ReturnType<typeof simulateOptions>['argv']>;

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
  const sim = await startSimulator({
    host: args.host, port: args.port, users: args.users, seed: args.seed, pipeline: args.pipeline,
    ...(args.fixture ? { fixture: args.fixture } : {}),
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
