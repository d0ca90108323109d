import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { AppConfig } from '../config/app-config';

export const DEV_SECRET_FILE = 'dev-jwt-secret';

/**
 * The HS256 secret: AUTH_JWT_SECRET, or outside production a random one kept in DATA_DIR so a
 * fresh machine runs without setup and `npm run token` signs tokens the server accepts.
 */
export function resolveJwtSecret(config: AppConfig): { secret: string; generated: boolean; file?: string } {
  if (config.AUTH_JWT_SECRET) return { secret: config.AUTH_JWT_SECRET, generated: false };
  if (config.isProduction) throw new Error('AUTH_JWT_SECRET must be set when NODE_ENV=production');
  const file = join(config.DATA_DIR, DEV_SECRET_FILE);
  try {
    const secret = readFileSync(file, 'utf8').trim();
    if (secret.length >= 32) return { secret, generated: false, file };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  mkdirSync(config.DATA_DIR, { recursive: true });
  const secret = randomBytes(32).toString('base64url');
  writeFileSync(file, secret, { mode: 0o600 });
  return { secret, generated: true, file };
}
