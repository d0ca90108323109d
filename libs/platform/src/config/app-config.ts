import { plainToInstance, Transform, Type } from 'class-transformer';
import {
  IsBoolean,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  Length,
  Matches,
  Max,
  Min,
  MinLength,
  Validate,
  validateSync,
  ValidationError,
  ValidatorConstraint,
  ValidatorConstraintInterface,
} from 'class-validator';
import { isIP } from 'node:net';

const toBoolean = ({ value }: { value: unknown }): unknown =>
  typeof value === 'string' ? (['1', 'true', 'yes', 'on'].includes(value.toLowerCase()) ? true : ['0', 'false', 'no', 'off', ''].includes(value.toLowerCase()) ? false : value) : value;
const blankToUndefined = ({ value }: { value: unknown }): unknown => (value === '' ? undefined : value);

const PROXY_KEYWORDS = ['loopback', 'linklocal', 'uniquelocal'];

function isProxyEntry(entry: string): boolean {
  if (PROXY_KEYWORDS.includes(entry)) return true;
  const [address, prefix, ...rest] = entry.split('/');
  const family = isIP(address);
  if (family === 0 || rest.length > 0) return false;
  if (prefix === undefined) return true;
  return /^\d{1,3}$/.test(prefix) && Number(prefix) <= (family === 4 ? 32 : 128);
}

/** TRUST_PROXY as Fastify's trustProxy option (proxy-addr): boolean, hop count or address list. */
export function parseTrustProxy(value: string): boolean | number | string[] {
  const text = value.trim().toLowerCase();
  if (text === 'true') return true;
  if (text === 'false' || text === '') return false;
  if (/^\d+$/.test(text)) return Number(text);
  return text.split(',').map((entry) => entry.trim());
}

@ValidatorConstraint({ name: 'trustProxyList' })
class TrustProxyListConstraint implements ValidatorConstraintInterface {
  validate(value: unknown): boolean {
    if (typeof value !== 'string') return false;
    const parsed = parseTrustProxy(value);
    if (typeof parsed === 'number') return parsed <= 64;
    return !Array.isArray(parsed) || parsed.every(isProxyEntry);
  }
  defaultMessage(): string {
    return 'TRUST_PROXY must be false, true, a hop count, or a comma-separated list of IP addresses or CIDR ranges';
  }
}

/**
 * Every setting the processes read, validated once at start-up. A bad value stops the process
 * with a message naming the variable, rather than failing later on first use.
 */
export class AppConfig {
  @IsIn(['development', 'production', 'test'])
  NODE_ENV: 'development' | 'production' | 'test' = 'development';

  @Type(() => Number) @IsInt() @Min(0) @Max(65_535)
  PORT = 3000;

  @IsString()
  HOST = '0.0.0.0';

  /** PostgreSQL server for events and read models; unset: embedded PGlite in DATA_DIR. */
  @Transform(blankToUndefined) @IsOptional() @Matches(/^postgres(ql)?:\/\//, { message: 'DATABASE_URL must be a postgres:// URL' })
  DATABASE_URL?: string;

  @Matches(/^[a-z_][a-z0-9_]{0,62}$/, { message: 'DATABASE_SCHEMA must be a lower-case SQL identifier' })
  DATABASE_SCHEMA = 'public';

  @Type(() => Number) @IsInt() @Min(1) @Max(200)
  DATABASE_POOL_SIZE = 10;

  @IsString() @MinLength(1)
  DATA_DIR = './data';

  @IsIn(['postgres', 'eventstoredb'])
  EVENT_STORE: 'postgres' | 'eventstoredb' = 'postgres';

  @Transform(blankToUndefined) @IsOptional() @Matches(/^(esdb|kurrentdb|kdb|esdb\+discover|kurrentdb\+discover):\/\//, {
    message: 'EVENTSTOREDB_URL must be an esdb:// or kurrentdb:// connection string',
  })
  EVENTSTOREDB_URL?: string;

  /** HS256 secret for bearer tokens. Unset outside production: one is generated and kept in DATA_DIR. */
  @Transform(blankToUndefined) @IsOptional() @IsString() @MinLength(32, { message: 'AUTH_JWT_SECRET must be at least 32 characters' })
  AUTH_JWT_SECRET?: string;

  /** 32 bytes, base64: seals each customer's data key. Unset outside production: one is generated in DATA_DIR. */
  @Transform(blankToUndefined) @IsOptional() @Matches(/^[A-Za-z0-9+/]{43}=$/, { message: 'PII_MASTER_KEY must be 32 bytes, base64-encoded' })
  PII_MASTER_KEY?: string;

  @IsIn(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
  LOG_LEVEL = 'info';

  @Type(() => Number) @IsInt() @Min(1_024) @Max(100 * 1_048_576)
  BODY_LIMIT_BYTES = 1_048_576;

  /** On shutdown, requests in flight get this long to finish before their connections are closed. */
  @Type(() => Number) @IsInt() @Min(0) @Max(600_000)
  SHUTDOWN_GRACE_MS = 10_000;

  /** Requests per minute per token subject, counted across every route; 0 turns this limit off. */
  @Type(() => Number) @IsInt() @Min(0)
  RATE_LIMIT_PER_MINUTE = 6_000;

  /**
   * Requests per minute per client address, counted before the token is looked at (so requests
   * without a valid token are limited too); 0 turns this limit off.
   */
  @Type(() => Number) @IsInt() @Min(0)
  RATE_LIMIT_PER_ADDRESS_PER_MINUTE = 12_000;

  /** Requests in progress at once per client address; past it, 429 at once. 0: off. */
  @Type(() => Number) @IsInt() @Min(0)
  RATE_LIMIT_CONCURRENT_PER_ADDRESS = 32;

  /**
   * How long a 429 from the per-address and per-subject limits is held before it is sent, so a
   * client that ignores Retry-After and loops makes one request per connection per delay.
   */
  @Type(() => Number) @IsInt() @Min(0) @Max(10_000)
  RATE_LIMIT_REFUSAL_DELAY_MS = 1_000;

  /** Answers 401 per minute per client address; past it the address is refused before its tokens are verified. 0: off. */
  @Type(() => Number) @IsInt() @Min(0)
  RATE_LIMIT_AUTH_FAILURES_PER_MINUTE = 60;

  /**
   * Which peers may say who the client is in X-Forwarded-For: `false` (nobody: the client is the
   * TCP peer), `true` (anyone: only behind a proxy that every request passes through), a hop
   * count, or a comma-separated list of addresses, CIDR ranges and `loopback`/`linklocal`/`uniquelocal`.
   */
  @Validate(TrustProxyListConstraint)
  TRUST_PROXY = 'false';

  /** The longest lifetime a bearer token may have (exp − iat, and exp − now), in seconds. */
  @Type(() => Number) @IsInt() @Min(60) @Max(31_536_000)
  AUTH_MAX_TOKEN_LIFETIME_S = 86_400;

  /** When set, a token's `iss` must equal it. */
  @Transform(blankToUndefined) @IsOptional() @IsString() @MinLength(1)
  AUTH_ISSUER?: string;

  /** When set, a token's `aud` must be (or contain) it. */
  @Transform(blankToUndefined) @IsOptional() @IsString() @MinLength(1)
  AUTH_AUDIENCE?: string;

  /**
   * The OpenID Connect provider whose RS256/ES256 access tokens the API accepts besides its own
   * HS256 tokens; its keys come from the JWKS its discovery document names. Unset: OIDC is off.
   */
  @Transform(blankToUndefined) @IsOptional() @Matches(/^https?:\/\/[^\s/?#]+[^\s?#]*$/, { message: 'OIDC_ISSUER must be an http(s) URL without query or fragment' })
  OIDC_ISSUER?: string;

  /** The desk's client at the provider (a public client: authorization code with PKCE). */
  @Transform(blankToUndefined) @IsOptional() @IsString() @Length(1, 200)
  OIDC_CLIENT_ID?: string;

  /** The `aud` the provider's access tokens must carry; unset: OIDC_CLIENT_ID. */
  @Transform(blankToUndefined) @IsOptional() @IsString() @Length(1, 200)
  OIDC_AUDIENCE?: string;

  /**
   * The claim holding the caller's roles: a name, or a dotted path into nested claims
   * (`realm_access.roles`); a claim whose whole name has dots (`https://example.com/roles`) is found too.
   */
  @Matches(/^[^\s]{1,200}$/, { message: 'OIDC_ROLES_CLAIM must be a claim name or dotted path without spaces' })
  OIDC_ROLES_CLAIM = 'roles';

  /** The scopes the desk asks for at sign-in, space-separated; `openid` must be one of them. */
  @Matches(/^(?=(.* )?openid( |$))[\x21\x23-\x5B\x5D-\x7E]+( [\x21\x23-\x5B\x5D-\x7E]+)*$/, {
    message: 'OIDC_SCOPES must be space-separated scope names including openid',
  })
  OIDC_SCOPES = 'openid profile';

  @Transform(toBoolean) @IsBoolean()
  PROJECTIONS_ENABLED = true;

  /** Record missed deadlines (SLA, refund settlement, follow-up) where commands run; one replica scans at a time. */
  @Transform(toBoolean) @IsBoolean()
  DEADLINE_SCHEDULER_ENABLED = true;

  /** How often the scheduler looks for deadlines that have passed. */
  @Type(() => Number) @IsInt() @Min(100) @Max(3_600_000)
  DEADLINE_SCHEDULER_INTERVAL_MS = 5_000;

  /** Deadlines recorded per pass at most; the rest wait for the next. */
  @Type(() => Number) @IsInt() @Min(1) @Max(10_000)
  DEADLINE_SCHEDULER_BATCH_SIZE = 200;

  /**
   * How long a replica's lease on singleton work (the projections, the Kafka forwarder) runs
   * without renewal: the longest a killed leader keeps the work from the others. Renewed every third.
   */
  @Type(() => Number) @IsInt() @Min(300) @Max(600_000)
  LEADER_LEASE_TTL_MS = 3_000;

  /**
   * How long a read-model rebuild's lease runs without renewal (renewed every third). Longer than
   * LEADER_LEASE_TTL_MS: a rebuild batch may hold the embedded store's one connection for seconds,
   * and a renewal waiting behind it must not find the lease run out. Only after a killed rebuild
   * does the next rebuild of that read model wait, at most this long.
   */
  @Type(() => Number) @IsInt() @Min(300) @Max(600_000)
  REBUILD_LEASE_TTL_MS = 30_000;

  /** Comma-separated host:port list; unset: Kafka is off. */
  @Transform(blankToUndefined) @IsOptional() @Matches(/^[^\s,]+:\d+(,[^\s,]+:\d+)*$/, { message: 'KAFKA_BROKERS must be host:port[,host:port...]' })
  KAFKA_BROKERS?: string;

  @IsString() @MinLength(1)
  KAFKA_CLIENT_ID = 'refund-desk';

  @IsString() @MinLength(1)
  KAFKA_GROUP_ID = 'refund-desk';

  /** Consume the inbound topics (requests, refund status, feedback) when Kafka is on. */
  @Transform(toBoolean) @IsBoolean()
  KAFKA_RELAY_ENABLED = true;

  /** Publish every event of the log to refunds.case-events.v1 when Kafka is on. */
  @Transform(toBoolean) @IsBoolean()
  KAFKA_FORWARDER_ENABLED = true;

  /** Inbound messages with different keys applied at once, per partition batch. */
  @Type(() => Number) @IsInt() @Min(1) @Max(256)
  KAFKA_RELAY_CONCURRENCY = 8;

  /** Events read from the log and published per produce request. */
  @Type(() => Number) @IsInt() @Min(1) @Max(5_000)
  KAFKA_FORWARDER_BATCH_SIZE = 200;

  /** How long the group waits for a silent relay (a crashed process) before giving its partitions to another. */
  @Type(() => Number) @IsInt() @Min(1_000) @Max(300_000)
  KAFKA_SESSION_TIMEOUT_MS = 10_000;

  /** How often a relay tells the group it is alive; well under the session timeout (a third or less). */
  @Type(() => Number) @IsInt() @Min(100) @Max(100_000)
  KAFKA_HEARTBEAT_INTERVAL_MS = 1_000;

  /** How long a rebalance waits for every member to rejoin before going on without the late ones. */
  @Type(() => Number) @IsInt() @Min(1_000) @Max(600_000)
  KAFKA_REBALANCE_TIMEOUT_MS = 20_000;

  /**
   * Idempotent producers (the broker drops a retried batch it already has). Tests against
   * librdkafka's mock cluster turn it off: the mock cannot answer the controller requests it needs.
   */
  @Transform(toBoolean) @IsBoolean()
  KAFKA_IDEMPOTENT_PRODUCER = true;

  /** A file the relay touches while its consumer is alive in the group: a liveness probe for containers. */
  @Transform(blankToUndefined) @IsOptional() @IsString() @MinLength(1)
  KAFKA_HEALTH_FILE?: string;

  /** Longest wait between retries while the broker or the database is unavailable. */
  @Type(() => Number) @IsInt() @Min(10) @Max(600_000)
  KAFKA_RETRY_MAX_MS = 10_000;

  /**
   * Longest the forwarder waits for one batch's connect and send before it replaces its producer
   * and sends the batch again: a producer stuck on a broker must not hold the topic back unseen.
   */
  @Type(() => Number) @IsInt() @Min(1_000) @Max(600_000)
  KAFKA_SEND_TIMEOUT_MS = 30_000;

  /**
   * /health says `degraded` when a committed event has waited longer than this behind the read
   * horizon (an old transaction still open on the database server); 0 turns the check off.
   */
  @Type(() => Number) @IsInt() @Min(0) @Max(86_400)
  LOG_HORIZON_DEGRADED_SECONDS = 30;
  /** TRUST_PROXY in the form Fastify's `trustProxy` takes. */
  get trustProxy(): boolean | number | string[] {
    return parseTrustProxy(this.TRUST_PROXY);
  }

  get usesEmbeddedDatabase(): boolean {
    return this.DATABASE_URL === undefined;
  }

  get isProduction(): boolean {
    return this.NODE_ENV === 'production';
  }

  /** The OpenID Connect settings when OIDC_ISSUER is set (loadAppConfig makes sure the client id is too). */
  get oidc(): OidcSettings | undefined {
    if (!this.OIDC_ISSUER || !this.OIDC_CLIENT_ID) return undefined;
    return {
      issuer: this.OIDC_ISSUER,
      clientId: this.OIDC_CLIENT_ID,
      audience: this.OIDC_AUDIENCE ?? this.OIDC_CLIENT_ID,
      rolesClaim: this.OIDC_ROLES_CLAIM,
      scopes: this.OIDC_SCOPES,
    };
  }
}

export interface OidcSettings {
  readonly issuer: string;
  readonly clientId: string;
  readonly audience: string;
  readonly rolesClaim: string;
  readonly scopes: string;
}

export class ConfigError extends Error {
  /** The variables at fault: each problem starts with the one it is about. */
  readonly settings: readonly string[];

  constructor(readonly problems: readonly string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
    this.settings = [...new Set(problems.flatMap((p) => /^[A-Z][A-Z0-9_]*/.exec(p)?.[0] ?? []))];
  }
}

/** Values never repeated in an error message or a log: a wrong secret is still a secret. */
const SECRET_SETTINGS = new Set(['AUTH_JWT_SECRET', 'PII_MASTER_KEY']);

const shownValue = (property: string, value: unknown): string => {
  if (value === undefined) return 'unset';
  if (SECRET_SETTINGS.has(property)) return `a value of ${String(value).length} characters`;
  // A connection string may carry a password.
  return `"${String(value).replace(/\/\/([^:/@]*):[^@/]*@/, '//$1:***@')}"`;
};

function describeErrors(errors: readonly ValidationError[]): string[] {
  return errors.flatMap((error) => {
    const messages = Object.values(error.constraints ?? {});
    const shown = shownValue(error.property, error.value);
    return messages.map((message) => (message.startsWith(error.property) ? `${message} (got ${shown})` : `${error.property}: ${message} (got ${shown})`));
  });
}

/** Reads and validates the environment; throws ConfigError naming each bad setting. */
export function loadAppConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  const known = Object.keys(new AppConfig());
  const extra = ['DATABASE_URL', 'EVENTSTOREDB_URL', 'AUTH_JWT_SECRET', 'PII_MASTER_KEY', 'KAFKA_BROKERS', 'KAFKA_HEALTH_FILE', 'AUTH_ISSUER', 'AUTH_AUDIENCE', 'OIDC_ISSUER', 'OIDC_CLIENT_ID', 'OIDC_AUDIENCE'];
  const relevant = Object.fromEntries(
    [...known, ...extra].filter((key) => env[key] !== undefined).map((key) => [key, env[key]]),
  );
  const config = plainToInstance(AppConfig, relevant, { exposeDefaultValues: true });
  const problems = describeErrors(validateSync(config, { forbidUnknownValues: false }));
  if (config.EVENT_STORE === 'eventstoredb' && !config.EVENTSTOREDB_URL) {
    problems.push('EVENTSTOREDB_URL must be set when EVENT_STORE=eventstoredb');
  }
  if (config.isProduction && !config.AUTH_JWT_SECRET) {
    problems.push('AUTH_JWT_SECRET must be set when NODE_ENV=production');
  }
  if (config.isProduction && !config.PII_MASTER_KEY) {
    problems.push('PII_MASTER_KEY must be set when NODE_ENV=production');
  }
  if (config.OIDC_ISSUER && !config.OIDC_CLIENT_ID) problems.push('OIDC_CLIENT_ID must be set when OIDC_ISSUER is set');
  if (!config.OIDC_ISSUER && (config.OIDC_CLIENT_ID || config.OIDC_AUDIENCE)) {
    problems.push('OIDC_ISSUER must be set when OIDC_CLIENT_ID or OIDC_AUDIENCE is set');
  }
  // Over plain http the discovery document and the keys could be swapped on the way; a provider on
  // this host's loopback (a sidecar, a test) never crosses a network, so http is allowed there.
  if (config.isProduction && config.OIDC_ISSUER && !config.OIDC_ISSUER.startsWith('https://') && !isLoopbackUrl(config.OIDC_ISSUER)) {
    problems.push('OIDC_ISSUER must be an https URL (or http on this host\'s loopback) when NODE_ENV=production');
  }
  if (config.KAFKA_HEARTBEAT_INTERVAL_MS * 3 > config.KAFKA_SESSION_TIMEOUT_MS) {
    problems.push('KAFKA_HEARTBEAT_INTERVAL_MS must be at most a third of KAFKA_SESSION_TIMEOUT_MS, or one lost heartbeat ends the session');
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}

const isLoopbackUrl = (url: string): boolean => {
  try {
    const { protocol, hostname } = new URL(url);
    return protocol === 'http:' && (hostname === 'localhost' || hostname === '[::1]' || /^127(\.\d{1,3}){3}$/.test(hostname));
  } catch {
    return false;
  }
};
