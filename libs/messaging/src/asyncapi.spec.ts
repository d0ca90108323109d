import { Parser } from '@asyncapi/parser';
import { EVENT_TYPES } from '@refund-desk/contracts';
import { CASE_EVENT_TYPES } from '@refund-desk/domain';
import { buildAsyncApiDocument } from './asyncapi';
import { TOPICS } from './topics';

// Severity 0 is an error, 1 a warning (Spectral's scale, which the parser reports with).
const describeDiagnostics = (diagnostics: ReadonlyArray<{ severity: number; message: string; path: ReadonlyArray<string | number> }>) =>
  diagnostics.map((d) => `${d.severity === 0 ? 'error' : 'warning'} ${d.path.join('.')}: ${d.message}`);

describe('the AsyncAPI document', () => {
  const document = buildAsyncApiDocument();

  it('is checked by a parser that does report a broken document', async () => {
    const broken = { ...document, operations: { sendCaseEvents: { action: 'send', channel: { $ref: '#/channels/nowhere' } } } };
    const { diagnostics } = await new Parser().parse(JSON.stringify(broken));
    expect(diagnostics.some((d) => d.severity === 0)).toBe(true);
  });

  it('is a valid AsyncAPI 3 document for @asyncapi/parser, without errors or warnings', async () => {
    const { document: parsed, diagnostics } = await new Parser().parse(JSON.stringify(document));
    expect(describeDiagnostics(diagnostics.filter((d) => d.severity <= 1))).toEqual([]);
    expect(parsed).toBeDefined();
    expect(parsed!.version()).toBe('3.0.0');
    expect(parsed!.channels().all().map((c) => c.address()).sort()).toEqual(Object.values(TOPICS).sort());
  });

  it('has one message with its own payload schema per event type of the log: case events, the policy’s and the legal rules’', async () => {
    expect([...EVENT_TYPES].sort()).toEqual([...CASE_EVENT_TYPES, 'PolicyRevised', 'LegalRulesRevised'].sort());
    const { document: parsed } = await new Parser().parse(JSON.stringify(document));
    const channel = parsed!.channels().all().find((c) => c.address() === TOPICS.caseEvents)!;
    const messages = channel.messages().all();
    expect(messages.map((m) => m.name()).sort()).toEqual([...EVENT_TYPES].sort());
    for (const message of messages) {
      const payload = message.payload()!.json() as { properties: { type: { const: string }; data: { required: string[] } } };
      expect(payload.properties.type.const).toBe(message.name());
      expect(payload.properties.data.required.length).toBeGreaterThan(0);
    }
  });

  it('documents the CloudEvents binding headers on every case event', () => {
    const headers = (document.components as { schemas: Record<string, { required: string[] }> }).schemas.CaseEventHeaders;
    expect(headers.required).toEqual(expect.arrayContaining(['ce_id', 'ce_type', 'ce_source', 'ce_specversion', 'ce_time', 'ce_subject']));
  });
});
