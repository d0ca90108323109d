import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { hashEvent } from '@refund-desk/event-store';
import { registerAuditCommands } from '../../../apps/cli/src/audit-commands';
import { describeWithPostgres, openTestSchema, POSTGRES_TEST_URL } from '../../support/postgres';
import { sampleRequest, startTestApp } from '../../support/test-app';

async function runCli(args: string[]): Promise<{ out: string; exitCode: number }> {
  const lines: string[] = [];
  const log = jest.spyOn(console, 'log').mockImplementation((...parts: unknown[]) => void lines.push(parts.join(' ')));
  const program = new Command().exitOverride();
  registerAuditCommands(program);
  const before = process.exitCode;
  try {
    await program.parseAsync(['node', 'cli', ...args]);
    return { out: lines.join('\n'), exitCode: Number(process.exitCode ?? 0) };
  } finally {
    log.mockRestore();
    process.exitCode = before;
  }
}

describeWithPostgres('audit verify (operator command)', () => {
  const saved = { ...process.env };
  let dataDir: string;
  let schema: Awaited<ReturnType<typeof openTestSchema>>;
  let caseId: string;

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'refund-desk-cli-'));
    schema = await openTestSchema('cli');
    // The service and the command share the database and DATA_DIR (where the development master key lives).
    const service = await startTestApp({ database: schema.db, dataDir });
    const agent = service.token('agent_ann', ['agent']);
    for (let i = 0; i < 3; i++) {
      const { body } = await service.request('POST', '/v1/cases', { token: agent, body: sampleRequest(service.clock.now()) });
      await service.request('POST', `/v1/cases/${body.caseId}/evaluation`, { token: agent });
      caseId = body.caseId;
    }
    await service.close();
    Object.assign(process.env, { DATABASE_URL: POSTGRES_TEST_URL, DATABASE_SCHEMA: schema.schema, DATA_DIR: dataDir, LOG_LEVEL: 'silent' });
  }, 60_000);

  afterAll(async () => {
    process.env = saved;
    await schema.drop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('verifies every stream, publishes the heads, then finds a tampered event and a rewritten chain', async () => {
    const headsFile = join(dataDir, 'heads.json');
    const clean = await runCli(['audit', 'verify', '--heads', headsFile]);
    expect(clean.exitCode).toBe(0);
    // Three cases of three events, plus the default policy and the default legal rules, each a stream of its own.
    expect(clean.out).toMatch(/^OK: 11 events in 5 streams verified/m);
    const published = JSON.parse(readFileSync(headsFile, 'utf8'));
    expect(published.heads).toHaveLength(5);
    expect(published.digest).toMatch(/^[0-9a-f]{64}$/);

    const db = (await openTestSchemaFor(schema.schema));
    await db.query(`UPDATE events SET data = jsonb_set(data, '{amount,minor}', '1') WHERE stream_id = $1 AND stream_version = 1`, [`refundCase-${caseId}`]);
    const tampered = await runCli(['audit', 'verify']);
    expect(tampered.exitCode).toBe(1);
    expect(tampered.out).toContain(`refundCase-${caseId} breaks at version 1`);

    // A forger who also recomputes every hash passes self-verification, but not the published heads.
    const { rows } = await db.query<{ stream_version: number; event_id: string; event_type: string; schema_version: number; data: Record<string, unknown>; metadata: Record<string, unknown>; recorded_at: Date }>(
      'SELECT stream_version, event_id::text, event_type, schema_version, data, metadata, recorded_at FROM events WHERE stream_id = $1 ORDER BY stream_version',
      [`refundCase-${caseId}`],
    );
    let previous = '0'.repeat(64);
    for (const row of rows) {
      // The forged first event also carries the customer's words in the clear, as events written
      // before a field was sealed do: the command counts such fields.
      if (row.stream_version === 1) {
        row.data = { ...row.data, reason: { ...(row.data.reason as object), description: 'words in the clear' } };
        await db.query(`UPDATE events SET data = $3::jsonb WHERE stream_id = $1 AND stream_version = $2`, [`refundCase-${caseId}`, 1, JSON.stringify(row.data)]);
      }
      const hash = hashEvent(previous, {
        streamId: `refundCase-${caseId}`, version: row.stream_version, eventId: row.event_id, type: row.event_type,
        schemaVersion: row.schema_version, data: row.data, metadata: row.metadata as never, recordedAt: row.recorded_at.toISOString(),
      });
      await db.query(`UPDATE events SET metadata = metadata || jsonb_build_object('prevHash', $3::text, 'hash', $4::text) WHERE stream_id = $1 AND stream_version = $2`, [`refundCase-${caseId}`, row.stream_version, previous, hash]);
      previous = hash;
    }
    const forged = await runCli(['audit', 'verify', '--against', headsFile]);
    expect(forged.out).toMatch(/^OK: /m);
    expect(forged.out).toContain('4/5 heads published');
    expect(forged.out).toContain('1 personal field(s) stored in the clear');
    expect(forged.out).toContain('RequestLogged.reason.description: 1');
    expect(clean.out).not.toContain('in the clear');
    expect(clean.out).not.toContain('rule 1');
    expect(forged.exitCode).toBe(1);
    await db.close();
  }, 60_000);
});

async function openTestSchemaFor(schemaName: string) {
  const { PostgresDatabase } = await import('@refund-desk/database');
  return PostgresDatabase.open({ connectionString: POSTGRES_TEST_URL, schema: schemaName, poolSize: 2 });
}
