/**
 * Writes the contract documents the code describes, without starting a server:
 *   node -r ./test/support/register-ts.js tools/contracts.ts [outDir]   (default docs/generated)
 * → openapi.json (from the Nest app's decorators) and asyncapi.json (from libs/messaging).
 * `npm run lint:openapi` runs it, then `redocly lint` on the OpenAPI document.
 */
import 'reflect-metadata';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import { PgliteDatabase, SQL_DATABASE } from '@refund-desk/database';
import { createHttpAdapter } from '@refund-desk/http-process';
import { buildAsyncApiDocument } from '@refund-desk/messaging';
import { AppConfig, loadAppConfig } from '@refund-desk/platform';
import { buildOpenApiDocument } from '@refund-desk/http-api';
import { RefundDeskModule } from '../apps/refund-desk/src/refund-desk.module';

/** The OpenAPI document of the all-in-one service: its modules are compiled, nothing is started. */
export async function generateOpenApiDocument(): Promise<Record<string, unknown>> {
  const dataDir = mkdtempSync(join(tmpdir(), 'refund-desk-contracts-'));
  const config: AppConfig = loadAppConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent', DATA_DIR: dataDir, AUTH_JWT_SECRET: 'x'.repeat(40) });
  const db = await PgliteDatabase.open();
  try {
    const moduleRef = await Test.createTestingModule({ imports: [RefundDeskModule] })
      .overrideProvider(AppConfig)
      .useValue(config)
      .overrideProvider(SQL_DATABASE)
      .useValue(db)
      .compile();
    const app = moduleRef.createNestApplication<NestFastifyApplication>(createHttpAdapter(config), { logger: false });
    return buildOpenApiDocument(app) as unknown as Record<string, unknown>;
  } finally {
    await db.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const outDir = resolve(process.argv[2] ?? 'docs/generated');
  mkdirSync(outDir, { recursive: true });
  const openapi = await generateOpenApiDocument();
  writeFileSync(join(outDir, 'openapi.json'), `${JSON.stringify(openapi, null, 2)}\n`);
  writeFileSync(join(outDir, 'asyncapi.json'), `${JSON.stringify(buildAsyncApiDocument(), null, 2)}\n`);
  console.log(`wrote ${join(outDir, 'openapi.json')} and ${join(outDir, 'asyncapi.json')}`);
}

if (require.main === module) {
  main().then(
    () => process.exit(0),
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
}
