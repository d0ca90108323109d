/**
 * A protocol test double of an EventStoreDB/KurrentDB node, for tests only. It serves the gRPC
 * services exactly as @eventstore/db-client ships them (its generated service definitions and
 * message classes, compiled from the server's .proto files), records every request decoded to
 * plain values, and answers each call with the next answer a test scripted. It stores nothing
 * and decides nothing: it checks how the adapter uses the protocol, not how a database behaves.
 */
import * as grpc from '@grpc/grpc-js';
import { GossipService } from '@eventstore/db-client/generated/gossip_grpc_pb';
import { ClusterInfo, EndPoint, MemberInfo } from '@eventstore/db-client/generated/gossip_pb';
import { ServerFeaturesService } from '@eventstore/db-client/generated/serverfeatures_grpc_pb';
import { SupportedMethod, SupportedMethods } from '@eventstore/db-client/generated/serverfeatures_pb';
import {
  AllStreamPosition,
  Empty,
  StreamIdentifier,
  UUID,
  WrongExpectedVersion as SharedWrongExpectedVersion,
} from '@eventstore/db-client/generated/shared_pb';
import { Status } from '@eventstore/db-client/generated/status_pb';
import { StreamsService } from '@eventstore/db-client/generated/streams_grpc_pb';
import { AppendReq, AppendResp, BatchAppendReq, BatchAppendResp, ReadReq, ReadResp } from '@eventstore/db-client/generated/streams_pb';
import { Any } from 'google-protobuf/google/protobuf/any_pb';

export interface LogPosition {
  readonly commit: number;
  readonly prepare: number;
}

/** An event as the double sends it in a read answer. */
export interface WireEvent {
  readonly streamId: string;
  /** 0-based stream revision. */
  readonly revision: number;
  /** `$all` commit position; prepare is the same unless given. */
  readonly position: number;
  readonly preparePosition?: number;
  readonly eventId: string;
  readonly type: string;
  readonly data: unknown;
  readonly metadata?: unknown;
  readonly created: Date;
}

export type StreamStart = number | 'start' | 'end';
export type AllStart = LogPosition | 'start' | 'end';

export type ReadRequest =
  | { readonly target: 'stream'; readonly streamId: string; readonly from: StreamStart; readonly count: number; readonly direction: 'forwards' | 'backwards' }
  | {
      readonly target: '$all';
      readonly from: AllStart;
      /** null for a subscription. */
      readonly count: number | null;
      readonly direction: 'forwards' | 'backwards';
      readonly subscription: boolean;
      readonly filter: { readonly on: 'streamName' | 'eventType'; readonly prefixes: string[]; readonly regex: string } | null;
      readonly resolveLinks: boolean;
    };

export interface ProposedEvent {
  readonly eventId: string;
  readonly type: string;
  readonly contentType: string;
  readonly data: unknown;
  readonly metadata: unknown;
}

export type ExpectedRevision = { readonly revision: number } | 'no_stream' | 'any' | 'stream_exists';

export interface AppendRequest {
  readonly streamId: string;
  readonly expected: ExpectedRevision;
  readonly events: readonly ProposedEvent[];
}

export type RecordedCall =
  | { readonly method: 'ServerFeatures.GetSupportedMethods' }
  | { readonly method: 'Gossip.Read' }
  | { readonly method: 'Streams.Read'; readonly request: ReadRequest }
  | { readonly method: 'Streams.BatchAppend' | 'Streams.Append'; readonly request: AppendRequest };

export type ReadStep =
  | { readonly event: WireEvent }
  | { readonly checkpoint: LogPosition }
  | { readonly caughtUp: true }
  | { readonly streamNotFound: true }
  | { readonly confirmation: string };

/** How the call ends after the steps: normally, left open until the client cancels, or with a gRPC error. */
export type CallEnd = 'complete' | 'hold' | { readonly code: grpc.status; readonly details: string };

export interface ReadAnswer {
  readonly steps: readonly ReadStep[];
  readonly end: CallEnd;
}

export type AppendAnswer =
  | { readonly success: { readonly currentRevision: number; readonly position?: LogPosition } }
  | { readonly wrongExpectedVersion: { readonly currentRevision: number | null } }
  | { readonly error: { readonly code: grpc.status; readonly details: string } };

type Scripted<Request, Answer> = Answer | ((request: Request) => Answer);

export interface EsdbTestServerOptions {
  /**
   * What GetSupportedMethods advertises: current servers list BatchAppend, so the client appends
   * through it; 'none' answers UNIMPLEMENTED like a 20.x node, and the client falls back to Append.
   */
  readonly features?: 'batch-append' | 'none';
}

const TICKS_PER_MS = 10_000n;
const WRONG_EXPECTED_VERSION_TYPE = 'event_store.client.WrongExpectedVersion';

const uuid = (id: string): UUID => new UUID().setString(id);
const streamIdentifier = (streamId: string): StreamIdentifier => new StreamIdentifier().setStreamName(Buffer.from(streamId, 'utf8'));
const text = (bytes: Uint8Array): string => Buffer.from(bytes).toString('utf8');
const json = (bytes: Uint8Array): unknown => (bytes.length === 0 ? undefined : JSON.parse(text(bytes)));
const readUuid = (id: UUID | undefined): string => id?.getString() ?? '';

export class EsdbTestServer {
  readonly calls: RecordedCall[] = [];
  private readonly server = new grpc.Server();
  private readonly readScript: Array<Scripted<ReadRequest, ReadAnswer>> = [];
  private readonly appendScript: Array<Scripted<AppendRequest, AppendAnswer>> = [];
  private readonly held = new Set<grpc.ServerWritableStream<ReadReq, ReadResp>>();
  private port = 0;

  private constructor(private readonly options: EsdbTestServerOptions) {}

  static async start(options: EsdbTestServerOptions = {}): Promise<EsdbTestServer> {
    const double = new EsdbTestServer(options);
    await double.listen();
    return double;
  }

  /** A single-node connection string: the client calls ServerFeatures, then the Streams methods. */
  get url(): string {
    return `esdb://127.0.0.1:${this.port}?tls=false`;
  }

  /** A discovery connection string: the client first reads the member list through Gossip. */
  get discoveryUrl(): string {
    return `esdb+discover://127.0.0.1:${this.port}?tls=false&discoveryInterval=10&maxDiscoverAttempts=2`;
  }

  answerRead(...answers: Array<Scripted<ReadRequest, ReadAnswer>>): this {
    this.readScript.push(...answers);
    return this;
  }

  answerAppend(...answers: Array<Scripted<AppendRequest, AppendAnswer>>): this {
    this.appendScript.push(...answers);
    return this;
  }

  /** Answers scripted but never asked for: a test checks it is empty, so an unused answer is a failure too. */
  get unusedAnswers(): number {
    return this.readScript.length + this.appendScript.length;
  }

  methods(): string[] {
    return this.calls.map((call) => call.method);
  }

  reads(): ReadRequest[] {
    return this.calls.flatMap((call) => (call.method === 'Streams.Read' ? [call.request] : []));
  }

  appends(): AppendRequest[] {
    return this.calls.flatMap((call) => (call.method === 'Streams.BatchAppend' || call.method === 'Streams.Append' ? [call.request] : []));
  }

  /** Ends every read left open ('hold') with UNAVAILABLE, as a node does when it goes away mid-subscription. */
  dropHeldReads(details = 'node going away'): number {
    const calls = [...this.held];
    this.held.clear();
    for (const call of calls) call.emit('error', { code: grpc.status.UNAVAILABLE, details });
    return calls.length;
  }

  async stop(): Promise<void> {
    this.server.forceShutdown();
  }

  private async listen(): Promise<void> {
    this.server.addService(ServerFeaturesService as unknown as grpc.ServiceDefinition, {
      getSupportedMethods: (_call: grpc.ServerUnaryCall<Empty, SupportedMethods>, callback: grpc.sendUnaryData<SupportedMethods>) => {
        this.calls.push({ method: 'ServerFeatures.GetSupportedMethods' });
        if (this.options.features === 'none') return callback({ code: grpc.status.UNIMPLEMENTED, details: 'not on this node' });
        const streams = 'event_store.client.streams.streams';
        const methods = ['read', 'append', 'batchappend'].map((name) => new SupportedMethod().setServiceName(streams).setMethodName(name));
        callback(null, new SupportedMethods().setEventStoreServerVersion('24.10.0').setMethodsList(methods));
      },
    });
    this.server.addService(GossipService as unknown as grpc.ServiceDefinition, {
      read: (_call: grpc.ServerUnaryCall<Empty, ClusterInfo>, callback: grpc.sendUnaryData<ClusterInfo>) => {
        this.calls.push({ method: 'Gossip.Read' });
        const self = new MemberInfo()
          .setInstanceId(uuid('00000000-0000-4000-8000-000000000001'))
          .setTimeStamp('0')
          .setState(MemberInfo.VNodeState.LEADER)
          .setIsAlive(true)
          .setHttpEndPoint(new EndPoint().setAddress('127.0.0.1').setPort(this.port));
        callback(null, new ClusterInfo().setMembersList([self]));
      },
    });
    this.server.addService(StreamsService as unknown as grpc.ServiceDefinition, {
      read: (call: grpc.ServerWritableStream<ReadReq, ReadResp>) => this.read(call),
      batchAppend: (call: grpc.ServerDuplexStream<BatchAppendReq, BatchAppendResp>) => this.batchAppend(call),
      append: (call: grpc.ServerReadableStream<AppendReq, AppendResp>, callback: grpc.sendUnaryData<AppendResp>) =>
        this.append(call, callback),
    });
    this.port = await new Promise<number>((resolve, reject) =>
      this.server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (error, port) =>
        error ? reject(error) : resolve(port),
      ),
    );
  }

  private next<Request, Answer>(script: Array<Scripted<Request, Answer>>, request: Request): Answer | undefined {
    const answer = script.shift();
    return typeof answer === 'function' ? (answer as (request: Request) => Answer)(request) : answer;
  }

  private read(call: grpc.ServerWritableStream<ReadReq, ReadResp>): void {
    const request = decodeRead(call.request);
    this.calls.push({ method: 'Streams.Read', request });
    const answer = this.next(this.readScript, request);
    if (!answer) {
      call.emit('error', { code: grpc.status.UNIMPLEMENTED, details: `no read answer scripted for ${JSON.stringify(request)}` });
      return;
    }
    for (const step of answer.steps) call.write(encodeStep(step, request));
    if (answer.end === 'complete') call.end();
    else if (answer.end !== 'hold') call.emit('error', answer.end);
    else {
      this.held.add(call);
      call.on('cancelled', () => this.held.delete(call));
    }
  }

  private batchAppend(call: grpc.ServerDuplexStream<BatchAppendReq, BatchAppendResp>): void {
    // One call carries every append of the client; an append may span several requests up to is_final.
    const partial = new Map<string, { options?: BatchAppendReq.Options; events: ProposedEvent[] }>();
    call.on('data', (req: BatchAppendReq) => {
      const correlationId = readUuid(req.getCorrelationId());
      const entry = partial.get(correlationId) ?? { events: [] };
      entry.options ??= req.getOptions();
      entry.events.push(...req.getProposedMessagesList().map(decodeProposed));
      partial.set(correlationId, entry);
      if (!req.getIsFinal()) return;
      partial.delete(correlationId);
      const options = entry.options!;
      const streamId = text(options.getStreamIdentifier()!.getStreamName_asU8());
      const expected: ExpectedRevision = options.hasStreamPosition()
        ? { revision: Number(options.getStreamPosition()) }
        : options.hasNoStream()
          ? 'no_stream'
          : options.hasStreamExists()
            ? 'stream_exists'
            : 'any';
      const request: AppendRequest = { streamId, expected, events: entry.events };
      this.calls.push({ method: 'Streams.BatchAppend', request });
      const answer = this.next(this.appendScript, request);
      if (!answer || 'error' in answer) {
        call.emit('error', answer?.error ?? { code: grpc.status.UNIMPLEMENTED, details: `no append answer scripted for ${streamId}` });
        return;
      }
      const resp = new BatchAppendResp().setCorrelationId(uuid(correlationId)).setStreamIdentifier(streamIdentifier(streamId));
      if ('success' in answer) {
        const success = new BatchAppendResp.Success().setCurrentRevision(String(answer.success.currentRevision));
        const at = answer.success.position;
        if (at) success.setPosition(new AllStreamPosition().setCommitPosition(String(at.commit)).setPreparePosition(String(at.prepare)));
        else success.setNoPosition(new Empty());
        resp.setSuccess(success);
      } else {
        const details = new SharedWrongExpectedVersion();
        const current = answer.wrongExpectedVersion.currentRevision;
        if (current === null) details.setCurrentNoStream(new Empty());
        else details.setCurrentStreamRevision(String(current));
        if (typeof expected === 'object') details.setExpectedStreamPosition(String(expected.revision));
        else if (expected === 'no_stream') details.setExpectedNoStream(new Empty());
        const packed = new Any();
        packed.pack(details.serializeBinary(), WRONG_EXPECTED_VERSION_TYPE);
        resp.setError(new Status().setCode(9).setMessage('WrongExpectedVersion').setDetails(packed));
      }
      call.write(resp);
    });
    call.on('end', () => call.end());
  }

  private append(call: grpc.ServerReadableStream<AppendReq, AppendResp>, callback: grpc.sendUnaryData<AppendResp>): void {
    let options: AppendReq.Options | undefined;
    const events: ProposedEvent[] = [];
    call.on('data', (req: AppendReq) => {
      if (req.hasOptions()) options = req.getOptions();
      else events.push(decodeProposed(req.getProposedMessage()!));
    });
    call.on('end', () => {
      const streamId = text(options!.getStreamIdentifier()!.getStreamName_asU8());
      const expected: ExpectedRevision = options!.hasRevision()
        ? { revision: Number(options!.getRevision()) }
        : options!.hasNoStream()
          ? 'no_stream'
          : options!.hasStreamExists()
            ? 'stream_exists'
            : 'any';
      const request: AppendRequest = { streamId, expected, events };
      this.calls.push({ method: 'Streams.Append', request });
      const answer = this.next(this.appendScript, request);
      if (!answer || 'error' in answer) {
        return callback(answer?.error ?? { code: grpc.status.UNIMPLEMENTED, details: `no append answer scripted for ${streamId}` });
      }
      if ('success' in answer) {
        const success = new AppendResp.Success().setCurrentRevision(String(answer.success.currentRevision));
        const at = answer.success.position;
        if (at) success.setPosition(new AppendResp.Position().setCommitPosition(String(at.commit)).setPreparePosition(String(at.prepare)));
        else success.setNoPosition(new Empty());
        return callback(null, new AppendResp().setSuccess(success));
      }
      const wrong = new AppendResp.WrongExpectedVersion();
      const current = answer.wrongExpectedVersion.currentRevision;
      if (current === null) wrong.setCurrentNoStream(new Empty());
      else wrong.setCurrentRevision(String(current));
      if (typeof expected === 'object') wrong.setExpectedRevision(String(expected.revision));
      else if (expected === 'no_stream') wrong.setExpectedNoStream(new Empty());
      callback(null, new AppendResp().setWrongExpectedVersion(wrong));
    });
  }
}

function decodeProposed(message: BatchAppendReq.ProposedMessage | AppendReq.ProposedMessage): ProposedEvent {
  const metadata = message.getMetadataMap();
  return {
    eventId: readUuid(message.getId()),
    type: metadata.get('type') ?? '',
    contentType: metadata.get('content-type') ?? '',
    data: json(message.getData_asU8()),
    metadata: json(message.getCustomMetadata_asU8()),
  };
}

function decodeRead(req: ReadReq): ReadRequest {
  const options = req.getOptions()!;
  const direction = options.getReadDirection() === ReadReq.Options.ReadDirection.BACKWARDS ? 'backwards' : 'forwards';
  if (options.hasStream()) {
    const stream = options.getStream()!;
    return {
      target: 'stream',
      streamId: text(stream.getStreamIdentifier()!.getStreamName_asU8()),
      from: stream.hasStart() ? 'start' : stream.hasEnd() ? 'end' : Number(stream.getRevision()),
      count: Number(options.getCount()),
      direction,
    };
  }
  const all = options.getAll()!;
  const position = all.getPosition();
  const filter = options.getFilter();
  const expression = filter?.hasStreamIdentifier() ? filter.getStreamIdentifier() : filter?.getEventType();
  return {
    target: '$all',
    from: all.hasStart()
      ? 'start'
      : all.hasEnd()
        ? 'end'
        : { commit: Number(position!.getCommitPosition()), prepare: Number(position!.getPreparePosition()) },
    count: options.hasSubscription() ? null : Number(options.getCount()),
    direction,
    subscription: options.hasSubscription(),
    filter:
      options.hasFilter() && expression
        ? { on: filter!.hasStreamIdentifier() ? 'streamName' : 'eventType', prefixes: expression.getPrefixList(), regex: expression.getRegex() }
        : null,
    resolveLinks: options.getResolveLinks(),
  };
}

function encodeStep(step: ReadStep, request: ReadRequest): ReadResp {
  const resp = new ReadResp();
  if ('event' in step) {
    const { event } = step;
    const record = new ReadResp.ReadEvent.RecordedEvent()
      .setId(uuid(event.eventId))
      .setStreamIdentifier(streamIdentifier(event.streamId))
      .setStreamRevision(String(event.revision))
      .setCommitPosition(String(event.position))
      .setPreparePosition(String(event.preparePosition ?? event.position))
      .setData(Buffer.from(JSON.stringify(event.data), 'utf8'))
      .setCustomMetadata(Buffer.from(event.metadata === undefined ? '' : JSON.stringify(event.metadata), 'utf8'));
    const metadata = record.getMetadataMap();
    metadata.set('type', event.type);
    metadata.set('content-type', 'application/json');
    // Ticks of 100 ns since the Unix epoch, as the server sends them.
    metadata.set('created', String(BigInt(event.created.getTime()) * TICKS_PER_MS));
    const read = new ReadResp.ReadEvent().setEvent(record);
    if (request.target === '$all') read.setCommitPosition(String(event.position));
    else read.setNoPosition(new Empty());
    return resp.setEvent(read);
  }
  if ('checkpoint' in step) {
    return resp.setCheckpoint(
      new ReadResp.Checkpoint().setCommitPosition(String(step.checkpoint.commit)).setPreparePosition(String(step.checkpoint.prepare)),
    );
  }
  if ('caughtUp' in step) return resp.setCaughtUp(new ReadResp.CaughtUp());
  if ('confirmation' in step) return resp.setConfirmation(new ReadResp.SubscriptionConfirmation().setSubscriptionId(step.confirmation));
  const notFound = new ReadResp.StreamNotFound();
  if (request.target === 'stream') notFound.setStreamIdentifier(streamIdentifier(request.streamId));
  return resp.setStreamNotFound(notFound);
}
