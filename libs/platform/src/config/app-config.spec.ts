import { ConfigError, loadAppConfig } from './app-config';

describe('loadAppConfig', () => {
  it('gives working defaults on an empty environment: embedded store, port 3000', () => {
    const config = loadAppConfig({});
    expect(config).toMatchObject({ PORT: 3000, DATA_DIR: './data', EVENT_STORE: 'postgres', PROJECTIONS_ENABLED: true, RATE_LIMIT_PER_MINUTE: 6000 });
    expect(config.usesEmbeddedDatabase).toBe(true);
  });

  it('reads and converts the settings it knows', () => {
    const config = loadAppConfig({ PORT: '8080', DATABASE_URL: 'postgres://u@h/db', PROJECTIONS_ENABLED: 'false', KAFKA_BROKERS: 'a:9092,b:9092' });
    expect(config).toMatchObject({ PORT: 8080, DATABASE_URL: 'postgres://u@h/db', PROJECTIONS_ENABLED: false, KAFKA_BROKERS: 'a:9092,b:9092' });
    expect(config.usesEmbeddedDatabase).toBe(false);
  });

  it.each([
    [{ PORT: 'eighty' }, 'PORT'],
    [{ PORT: '70000' }, 'PORT'],
    [{ DATABASE_URL: 'mysql://x' }, 'DATABASE_URL'],
    [{ DATABASE_SCHEMA: 'Robert"); DROP' }, 'DATABASE_SCHEMA'],
    [{ EVENT_STORE: 'mongo' }, 'EVENT_STORE'],
    [{ EVENT_STORE: 'eventstoredb' }, 'EVENTSTOREDB_URL'],
    [{ AUTH_JWT_SECRET: 'short' }, 'AUTH_JWT_SECRET'],
    [{ NODE_ENV: 'production' }, 'AUTH_JWT_SECRET'],
    [{ LOG_LEVEL: 'loud' }, 'LOG_LEVEL'],
    [{ PROJECTIONS_ENABLED: 'maybe' }, 'PROJECTIONS_ENABLED'],
    [{ KAFKA_BROKERS: 'localhost' }, 'KAFKA_BROKERS'],
    [{ KAFKA_SESSION_TIMEOUT_MS: '6000', KAFKA_HEARTBEAT_INTERVAL_MS: '3000' }, 'KAFKA_HEARTBEAT_INTERVAL_MS'],
    [{ KAFKA_REBALANCE_TIMEOUT_MS: '10' }, 'KAFKA_REBALANCE_TIMEOUT_MS'],
    [{ KAFKA_SEND_TIMEOUT_MS: '10' }, 'KAFKA_SEND_TIMEOUT_MS'],
    [{ LOG_HORIZON_DEGRADED_SECONDS: '-1' }, 'LOG_HORIZON_DEGRADED_SECONDS'],
    [{ TRUST_PROXY: 'yes please' }, 'TRUST_PROXY'],
    [{ TRUST_PROXY: '10.0.0.0/33' }, 'TRUST_PROXY'],
    [{ TRUST_PROXY: '10.0.0.1,proxy.example.com' }, 'TRUST_PROXY'],
    [{ TRUST_PROXY: '1000' }, 'TRUST_PROXY'],
    [{ AUTH_MAX_TOKEN_LIFETIME_S: '10' }, 'AUTH_MAX_TOKEN_LIFETIME_S'],
    [{ RATE_LIMIT_PER_ADDRESS_PER_MINUTE: '-1' }, 'RATE_LIMIT_PER_ADDRESS_PER_MINUTE'],
    [{ OIDC_ISSUER: 'https://id.example.com' }, 'OIDC_CLIENT_ID'],
    [{ OIDC_CLIENT_ID: 'desk' }, 'OIDC_ISSUER'],
    [{ OIDC_AUDIENCE: 'refund-desk' }, 'OIDC_ISSUER'],
    [{ OIDC_ISSUER: 'id.example.com', OIDC_CLIENT_ID: 'desk' }, 'OIDC_ISSUER'],
    [{ OIDC_ISSUER: 'https://id.example.com/?tenant=1', OIDC_CLIENT_ID: 'desk' }, 'OIDC_ISSUER'],
    [{ NODE_ENV: 'production', AUTH_JWT_SECRET: 'x'.repeat(32), PII_MASTER_KEY: 'A'.repeat(43) + '=', OIDC_ISSUER: 'http://id.example.com', OIDC_CLIENT_ID: 'desk' }, 'OIDC_ISSUER'],
    [{ NODE_ENV: 'production', AUTH_JWT_SECRET: 'x'.repeat(32), PII_MASTER_KEY: 'A'.repeat(43) + '=', OIDC_ISSUER: 'http://127.0.0.1.example.com', OIDC_CLIENT_ID: 'desk' }, 'OIDC_ISSUER'],
    [{ OIDC_ISSUER: 'https://id.example.com', OIDC_CLIENT_ID: 'desk', OIDC_SCOPES: 'profile email' }, 'OIDC_SCOPES'],
    [{ OIDC_ISSUER: 'https://id.example.com', OIDC_CLIENT_ID: 'desk', OIDC_SCOPES: 'openid  profile' }, 'OIDC_SCOPES'],
    [{ OIDC_ISSUER: 'https://id.example.com', OIDC_CLIENT_ID: 'desk', OIDC_ROLES_CLAIM: 'realm access' }, 'OIDC_ROLES_CLAIM'],
  ])('refuses %p with a message naming %s', (env, setting) => {
    let error: unknown;
    try {
      loadAppConfig(env);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems.some((problem) => problem.includes(setting))).toBe(true);
    expect((error as ConfigError).message).toContain(setting);
  });

  it('trusts no proxy by default, and reads a hop count or a list of addresses and ranges', () => {
    expect(loadAppConfig({}).trustProxy).toBe(false);
    expect(loadAppConfig({ TRUST_PROXY: 'true' }).trustProxy).toBe(true);
    expect(loadAppConfig({ TRUST_PROXY: '2' }).trustProxy).toBe(2);
    expect(loadAppConfig({ TRUST_PROXY: '10.0.0.0/8, 192.168.1.7,::1,loopback' }).trustProxy).toEqual(['10.0.0.0/8', '192.168.1.7', '::1', 'loopback']);
  });

  it('has OIDC off by default, and on with an issuer and a client id, the audience defaulting to the client id', () => {
    expect(loadAppConfig({}).oidc).toBeUndefined();
    expect(loadAppConfig({ OIDC_ISSUER: 'http://127.0.0.1:8080', OIDC_CLIENT_ID: 'desk' }).oidc).toEqual({
      issuer: 'http://127.0.0.1:8080',
      clientId: 'desk',
      audience: 'desk',
      rolesClaim: 'roles',
      scopes: 'openid profile',
    });
    const production = {
      NODE_ENV: 'production',
      AUTH_JWT_SECRET: 'x'.repeat(32),
      PII_MASTER_KEY: 'A'.repeat(43) + '=',
      OIDC_ISSUER: 'https://id.example.com/realms/shop',
      OIDC_CLIENT_ID: 'desk',
      OIDC_AUDIENCE: 'refund-desk-api',
      OIDC_ROLES_CLAIM: 'realm_access.roles',
      OIDC_SCOPES: 'openid profile email',
    };
    expect(loadAppConfig(production).oidc).toEqual({
      issuer: 'https://id.example.com/realms/shop',
      clientId: 'desk',
      audience: 'refund-desk-api',
      rolesClaim: 'realm_access.roles',
      scopes: 'openid profile email',
    });
  });

  it('lists every bad setting at once', () => {
    expect(() => loadAppConfig({ PORT: 'x', LOG_LEVEL: 'loud' })).toThrow(/PORT[\s\S]*LOG_LEVEL|LOG_LEVEL[\s\S]*PORT/);
  });

  it('names the settings at fault and never repeats a secret or a password', () => {
    let error: ConfigError | undefined;
    try {
      loadAppConfig({ AUTH_JWT_SECRET: 'short-secret', PII_MASTER_KEY: 'not-a-key', DATABASE_URL: 'mysql://admin:hunter2@db/x', PORT: 'x' });
    } catch (e) {
      error = e as ConfigError;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect([...error!.settings].sort()).toEqual(['AUTH_JWT_SECRET', 'DATABASE_URL', 'PII_MASTER_KEY', 'PORT']);
    expect(error!.message).not.toContain('short-secret');
    expect(error!.message).not.toContain('not-a-key');
    expect(error!.message).not.toContain('hunter2');
    expect(error!.message).toContain('admin:***@db');
  });
});

describe('OIDC_ISSUER in production', () => {
  const production = { NODE_ENV: 'production', AUTH_JWT_SECRET: 'x'.repeat(32), PII_MASTER_KEY: 'A'.repeat(43) + '=', OIDC_CLIENT_ID: 'desk' };
  it.each(['https://id.example.com/realms/shop', 'http://127.0.0.1:8080', 'http://localhost:8080', 'http://[::1]:8080'])('accepts %s', (issuer) => {
    expect(loadAppConfig({ ...production, OIDC_ISSUER: issuer }).oidc?.issuer).toBe(issuer);
  });
});
