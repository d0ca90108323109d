import 'reflect-metadata';
import { JwtService } from '@nestjs/jwt';
import { Command, InvalidArgumentError } from 'commander';
import { isRole, Role, ROLES } from '@refund-desk/domain';
import { ConfigError, DEFAULT_DEV_TOKEN_TTL_S, loadAppConfig, mintDevToken, resolveJwtSecret, serviceVersion } from '@refund-desk/platform';
import { registerAuditCommands } from './audit-commands';
import { rebuildCommand } from './rebuild';

const program = new Command('refund-desk')
  .description('Operator commands for refund-desk')
  .version(serviceVersion(), '-V, --version', 'print the version of refund-desk');

const parseRoles = (value: string): string[] => {
  const roles = value.split(',').map((role) => role.trim()).filter(Boolean);
  const unknown = roles.filter((role) => !isRole(role));
  if (roles.length === 0 || unknown.length > 0) {
    throw new InvalidArgumentError(`roles must be a comma-separated list of: ${ROLES.join(', ')}${unknown.length ? ` (unknown: ${unknown.join(', ')})` : ''}`);
  }
  return roles;
};

const DURATION_UNITS: Record<string, number> = { s: 1, m: 60, h: 3_600, d: 86_400 };

/** `3600`, `90s`, `30m`, `8h`, `7d` to seconds. */
const parseDuration = (value: string): number => {
  const match = /^(\d+)\s*([smhd]?)$/.exec(value.trim());
  const seconds = match ? Number(match[1]) * DURATION_UNITS[match[2] || 's'] : Number.NaN;
  if (!Number.isSafeInteger(seconds) || seconds < 1) throw new InvalidArgumentError('must be a duration such as 3600, 90s, 30m, 8h or 7d');
  return seconds;
};

program
  .command('token')
  .description(
    'Mint a local HS256 JWT for trying the API (uses AUTH_JWT_SECRET or the development secret in DATA_DIR); ' +
      'it carries exp, and iss/aud when AUTH_ISSUER/AUTH_AUDIENCE are set',
  )
  .requiredOption('--sub <subject>', 'who the token speaks for; becomes the actor of every event it causes')
  .requiredOption('--roles <roles>', `comma-separated roles: ${ROLES.join(', ')}`, parseRoles)
  .option('--name <name>', 'display name')
  .option('--ttl <duration>', 'lifetime, e.g. 3600, 30m, 8h (default 8h, or AUTH_MAX_TOKEN_LIFETIME_S if shorter)', parseDuration)
  .option('--expires-in <duration>', 'the same as --ttl (kept for older scripts)', parseDuration)
  .action(async (options: { sub: string; roles: string[]; name?: string; ttl?: number; expiresIn?: number }) => {
    const config = loadAppConfig();
    const ttl = options.ttl ?? options.expiresIn ?? Math.min(DEFAULT_DEV_TOKEN_TTL_S, config.AUTH_MAX_TOKEN_LIFETIME_S);
    if (ttl > config.AUTH_MAX_TOKEN_LIFETIME_S) {
      throw new InvalidArgumentError(
        `--ttl ${ttl} s is longer than AUTH_MAX_TOKEN_LIFETIME_S (${config.AUTH_MAX_TOKEN_LIFETIME_S} s): the service would refuse the token`,
      );
    }
    const { secret } = resolveJwtSecret(config);
    const jwt = new JwtService({ secret, signOptions: { algorithm: 'HS256' } });
    const { token } = await mintDevToken(jwt, config, { sub: options.sub, roles: options.roles as Role[], name: options.name, ttlS: ttl });
    process.stdout.write(`${token}\n`);
  });

const positiveInt = (value: string): number => {
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < 1) throw new InvalidArgumentError('must be a whole number ≥ 1');
  return n;
};

program
  .command('rebuild')
  .description('Rebuild read models from the event log into fresh tables, then swap them in (the old ones serve meanwhile)')
  .argument('[read-model]', 'manager_queue, follow_up_queue, customer_timeline, trend_analytics, customer_history, due_deadlines, or all', 'all')
  .option('--batch-size <events>', 'events per committed batch (default 5000)', positiveInt)
  .option('--restart', 'discard an interrupted rebuild instead of resuming it', false)
  .action((name: string, options: { batchSize?: number; restart: boolean }) => rebuildCommand(name, options));

registerAuditCommands(program);

program.parseAsync(process.argv).catch((error: unknown) => {
  console.error(error instanceof ConfigError ? error.message : (error as Error).message);
  process.exit(1);
});
