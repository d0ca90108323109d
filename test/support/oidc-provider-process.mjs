/**
 * A real OpenID Connect provider (the `oidc-provider` package) for tests, run as a child process by
 * test/support/oidc-provider.ts: the package is ESM-only, and a process of its own works the same
 * under jest, Playwright and plain node.
 *
 * Options come as JSON in OIDC_PROVIDER_OPTIONS. When it listens it prints one JSON line with its
 * issuer on stdout; SIGTERM, or the end of its stdin, stops it.
 *
 * The provider: a public client (no secret, authorization code with PKCE S256 required), the
 * development login and consent pages (any password), and JWT access tokens (ES256) for one
 * resource, the API's audience, carrying the user's name and roles under the configured claim.
 */
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import Provider, { errors } from 'oidc-provider';

const options = JSON.parse(process.env.OIDC_PROVIDER_OPTIONS ?? '{}');
const { clientId, audience, redirectUris, users, rolesClaim = 'roles', accessTokenTtlS = 600, otherClientIds = [] } = options;

/** `realm_access.roles` → { realm_access: { roles } }; a plain name stays a plain claim. */
function rolesClaims(roles) {
  const path = rolesClaim.includes('://') ? [rolesClaim] : rolesClaim.split('.');
  return path.reduceRight((value, key) => ({ [key]: value }), roles);
}

// A resource indicator must be an absolute URI; the tokens' `aud` is the audience, whatever its form.
const RESOURCE = 'urn:refund-desk:api';

const jwk = (type, options, kid) => ({ ...generateKeyPairSync(type, options).privateKey.export({ format: 'jwk' }), kid, use: 'sig' });

// Each step on stderr: the harness shows them when a start stalls (see ATTEMPT_TIMEOUT_MS there).
const step = (what) => process.stderr.write(`oidc-provider-process: ${what} after ${Math.round(performance.now())} ms\n`);
step('imported');
const server = createServer();
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
const issuer = `http://127.0.0.1:${server.address().port}`;
step(`listening at ${issuer}`);
const keys = [jwk('rsa', { modulusLength: 2048 }, 'rs-1'), jwk('ec', { namedCurve: 'P-256' }, 'es-1')];
step('keys made');

const provider = new Provider(issuer, {
  // The desk's client, and other applications' clients of the same provider, whose tokens are
  // meant for them (aud = their client id), not for the API.
  clients: [clientId, ...otherClientIds].map((id) => ({
    client_id: id,
    token_endpoint_auth_method: 'none',
    grant_types: ['authorization_code'],
    response_types: ['code'],
    redirect_uris: redirectUris,
    post_logout_redirect_uris: redirectUris,
  })),
  // RS256 for ID tokens (the default every client understands), ES256 for the access tokens.
  jwks: { keys },
  cookies: { keys: [randomBytes(32).toString('base64url')] },
  pkce: { required: () => true },
  claims: { openid: ['sub'], profile: ['name', rolesClaim.includes('://') ? rolesClaim : rolesClaim.split('.')[0]] },
  async findAccount(_ctx, sub) {
    const user = users[sub];
    if (!user) return undefined;
    return { accountId: sub, claims: () => ({ sub, name: user.name, ...rolesClaims(user.roles) }) };
  },
  features: {
    devInteractions: { enabled: true },
    resourceIndicators: {
      enabled: true,
      defaultResource: () => RESOURCE,
      useGrantedResource: () => true,
      getResourceServerInfo(_ctx, indicator, client) {
        if (indicator !== RESOURCE) throw new errors.InvalidTarget();
        return { scope: 'api', audience: client.clientId === clientId ? audience : client.clientId, accessTokenTTL: accessTokenTtlS, accessTokenFormat: 'jwt', jwt: { sign: { alg: 'ES256' } } };
      },
    },
  },
  async extraTokenClaims(_ctx, token) {
    if (token.kind !== 'AccessToken') return undefined;
    const user = users[token.accountId];
    return user ? { name: user.name, ...rolesClaims(user.roles) } : undefined;
  },
});
provider.on('server_error', (_ctx, error) => process.stderr.write(`oidc-provider server_error: ${error.stack}\n`));

server.on('request', provider.callback());
step('provider ready');
process.stdout.write(`${JSON.stringify({ issuer })}\n`);
const stop = () => {
  server.close(() => process.exit(0));
  server.closeAllConnections();
};
process.on('SIGTERM', stop);
// The test process that started us is gone (its end of our stdin closed): no provider left behind.
process.stdin.on('end', stop).resume();
