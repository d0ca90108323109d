import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { AppConfig } from '@refund-desk/platform';

export const DEV_MASTER_KEY_FILE = 'dev-pii-master-key';

const decode = (text: string, source: string): Buffer => {
  const key = Buffer.from(text.trim(), 'base64');
  if (key.length !== 32) throw new Error(`${source} must be 32 bytes, base64-encoded (got ${key.length} bytes)`);
  return key;
};

/**
 * The key that seals every customer's data key: PII_MASTER_KEY, or outside production one
 * generated in DATA_DIR. A database dump alone then reveals no personal data.
 */
export function resolveMasterKey(config: AppConfig): { key: Buffer; generated: boolean; file?: string } {
  if (config.PII_MASTER_KEY) return { key: decode(config.PII_MASTER_KEY, 'PII_MASTER_KEY'), generated: false };
  if (config.isProduction) throw new Error('PII_MASTER_KEY must be set when NODE_ENV=production');
  const file = join(config.DATA_DIR, DEV_MASTER_KEY_FILE);
  try {
    return { key: decode(readFileSync(file, 'utf8'), file), generated: false, file };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  mkdirSync(config.DATA_DIR, { recursive: true });
  const key = randomBytes(32);
  writeFileSync(file, key.toString('base64'), { mode: 0o600 });
  return { key, generated: true, file };
}
