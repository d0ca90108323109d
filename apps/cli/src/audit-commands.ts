import { readFileSync, writeFileSync } from 'node:fs';
import { SingleBar } from 'cli-progress';
import { Command } from 'commander';
import { AuditService, renderCaseHistoryText, statesAfterEachEvent, toAuditedEvent } from '@refund-desk/audit';
import { caseStreamName } from '@refund-desk/domain';
import { EventStore, SealedEventLog } from '@refund-desk/event-store';
import { operatorContext } from './operator-context';

interface PublishedHeads {
  readonly verifiedAt: string;
  readonly digest: string;
  readonly heads: ReadonlyArray<{ streamId: string; version: number; hash: string }>;
}

export function registerAuditCommands(program: Command): void {
  const audit = program.command('audit').description('Verify and replay the event log');

  audit
    .command('verify')
    .description('Recompute the hash chain of every stream, with progress and a summary; exit 1 if any is broken')
    .option('--heads <file>', 'write the chain heads and their digest here, to keep outside the database')
    .option('--against <file>', 'a heads file published earlier: every head in it must still be in the log')
    .action(async (options: { heads?: string; against?: string }) => {
      const app = await operatorContext();
      try {
        const service = app.get(AuditService);
        const log = app.get(SealedEventLog);
        const total = (await log.head()).position ?? 0;
        const bar = new SingleBar({
          format: 'verifying |{bar}| {percentage}% {value}/{total} events, {streams} streams, {rate} events/s',
          stream: process.stderr,
        });
        const started = Date.now();
        bar.start(Math.max(total, 1), 0, { streams: 0, rate: 0 });
        const result = await service.verifyAll((events, streams) =>
          bar.update(Math.min(events, Math.max(total, 1)), { streams, rate: Math.round(events / Math.max(0.001, (Date.now() - started) / 1000)) }),
        );
        bar.stop();
        const seconds = (Date.now() - started) / 1000;
        console.log(`${result.valid ? 'OK' : 'BROKEN'}: ${result.events} events in ${result.streams} streams verified in ${seconds.toFixed(1)} s (${Math.round(result.events / Math.max(seconds, 0.001))} events/s)`);
        for (const broken of result.broken) console.log(`  ${broken.streamId} breaks at version ${broken.version} (position ${broken.position}): ${broken.reason}`);
        console.log(`heads digest ${result.digest}`);
        const legacy = result.hashVersions['1'] ?? 0;
        if (legacy > 0) console.log(`${legacy} event(s) hashed under rule 1, before the recorded time was covered: their recordedAt is not protected by the chain`);
        const plaintext = Object.entries(result.plaintextPersonalFields);
        if (plaintext.length > 0) {
          const total = plaintext.reduce((sum, [, n]) => sum + n, 0);
          console.log(`${total} personal field(s) stored in the clear, written before they were sealed; erasure cannot remove them:`);
          for (const [field, n] of plaintext) console.log(`  ${field}: ${n}`);
        }
        let mismatches = 0;
        if (options.against) {
          const published = JSON.parse(readFileSync(options.against, 'utf8')) as PublishedHeads;
          for (const head of published.heads) {
            const [event] = await log.readStream(head.streamId, { fromVersion: head.version, toVersion: head.version });
            if (event?.metadata.hash !== head.hash) {
              mismatches += 1;
              console.log(`  ${head.streamId} v${head.version}: published ${head.hash.slice(0, 16)}…, log has ${event ? `${event.metadata.hash.slice(0, 16)}…` : 'nothing'}`);
            }
          }
          console.log(`${published.heads.length - mismatches}/${published.heads.length} heads published at ${published.verifiedAt} are intact`);
        }
        if (options.heads) {
          const document: PublishedHeads = { verifiedAt: result.verifiedAt, digest: result.digest, heads: result.heads };
          writeFileSync(options.heads, `${JSON.stringify(document, null, 2)}\n`);
          console.log(`wrote ${result.heads.length} chain heads to ${options.heads}`);
        }
        process.exitCode = result.valid && mismatches === 0 ? 0 : 1;
      } finally {
        await app.close();
      }
    });

  audit
    .command('case <caseId>')
    .description("Print a case's history as a readable report, with the state after each event")
    .option('--json', 'machine-readable: every event with its metadata and the state after it')
    .action(async (caseId: string, options: { json?: boolean }) => {
      const app = await operatorContext();
      try {
        const events = await app.get(EventStore).readStream(caseStreamName(caseId), { integrity: 'mark' });
        if (events.length === 0) {
          console.error(`No refund case with id ${caseId}`);
          process.exitCode = 2;
          return;
        }
        if (options.json) {
          const history = statesAfterEachEvent(events).map(({ event, state }) => ({ event: toAuditedEvent(event), stateAfter: state }));
          console.log(JSON.stringify({ caseId, events: history }, null, 2));
        } else {
          console.log(renderCaseHistoryText(caseId, events));
        }
      } finally {
        await app.close();
      }
    });
}
