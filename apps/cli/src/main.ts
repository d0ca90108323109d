import 'reflect-metadata';
import { JwtService } from '@nestjs/jwt';
import { Command, InvalidArgumentError } from 'commander';
import { isRole, ROLES } from '@refund-desk/domain';
import { ConfigError, loadAppConfig, resolveJwtSecret, serviceVersion } from '@refund-desk/platform';
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

program
  .command('token')
  .description('Mint a local HS256 JWT for trying the API (uses AUTH_JWT_SECRET or the development secret in DATA_DIR)')
  .requiredOption('--sub <subject>', 'who the token speaks for; becomes the actor of every event it causes')
  .requiredOption('--roles <roles>', `comma-separated roles: ${ROLES.join(', ')}`, parseRoles)
  .option('--name <name>', 'display name')
  .option('--expires-in <duration>', 'lifetime, e.g. 8h, 30m, 7d', '8h')
  .action(async (options: { sub: string; roles: string[]; name?: string; expiresIn: string }) => {
    const { secret } = resolveJwtSecret(loadAppConfig());
    const jwt = new JwtService({ secret, signOptions: { algorithm: 'HS256' } });
    const token = await jwt.signAsync(
      { sub: options.sub, roles: options.roles, ...(options.name ? { name: options.name } : {}) },
      { expiresIn: options.expiresIn as never },
    );
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
  .argument('[read-model]', 'manager_queue, follow_up_queue, customer_timeline, trend_analytics, customer_history, or all', 'all')
  .option('--batch-size <events>', 'events per committed batch (default 5000)', positiveInt)
  .option('--restart', 'discard an interrupted rebuild instead of resuming it', false)
  .action((name: string, options: { batchSize?: number; restart: boolean }) => rebuildCommand(name, options));

registerAuditCommands(program);

program.parseAsync(process.argv).catch((error: unknown) => {
  console.error(error instanceof ConfigError ? error.message : (error as Error).message);
  process.exit(1);
});
