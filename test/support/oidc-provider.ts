import { ChildProcess, spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { recordDiagnosis } from './ci-diagnosis';

export interface OidcTestUser {
  readonly name: string;
  readonly roles: string[];
}

export interface OidcProviderOptions {
  /** Where the provider may send the browser back with a code (the desk's callback URL). */
  readonly redirectUris: string[];
  /** Accounts by login; the login is the subject (sub). Any password signs in. */
  readonly users: Record<string, OidcTestUser>;
  /** The public client's id; default `refund-desk`. */
  readonly clientId?: string;
  /** The access tokens' `aud`; default the client id, as OIDC_AUDIENCE defaults to OIDC_CLIENT_ID. */
  readonly audience?: string;
  /** Where the roles go in the tokens: a name or dotted path; default `roles`. */
  readonly rolesClaim?: string;
  readonly accessTokenTtlS?: number;
  /** Clients of other applications (same redirect URIs); their access tokens' `aud` is their own id. */
  readonly otherClientIds?: string[];
}

export interface OidcTestProvider {
  readonly issuer: string;
  readonly clientId: string;
  readonly audience: string;
  close(): Promise<void>;
}

/**
 * The provider's script. Not oidc-provider.mjs: jest resolves `./oidc-provider` to a .mjs before a
 * .ts. Compiled as CommonJS (jest, register-ts) this file has __dirname; loaded as an ES module (a
 * Playwright config in a "type": "module" package) it has not, and the script is found from the
 * working directory up.
 */
function providerScript(): string {
  const name = join('test', 'support', 'oidc-provider-process.mjs');
  if (typeof __dirname === 'string') return join(__dirname, 'oidc-provider-process.mjs');
  for (let dir = process.cwd(); ; dir = dirname(dir)) {
    if (existsSync(join(dir, name))) return join(dir, name);
    if (dirname(dir) === dir) throw new Error(`${name} not found from ${process.cwd()} up`);
  }
}
/**
 * How long one start may take before the provider is replaced by another. About 0.5–2.5 s on a
 * 2-core machine; in two CI runs in a hundred-odd starts one hung for good after importing
 * oidc-provider. gdb on a hung one (Node 20.20): the main thread waits forever on a mutex in
 * `~KeyGenJob<RsaKeyGenTraits>`, run by a garbage collection that struck inside
 * `generateKeyPairSync` (a deadlock in Node, not in the provider). A hung start is killed and
 * tried again; the provider says on stderr which step it reached.
 */
const ATTEMPT_TIMEOUT_MS = 20_000;
const ATTEMPTS = 3;

/**
 * Starts a real OpenID Connect provider (oidc-provider, in a child process) on a free port of
 * 127.0.0.1: a public client with PKCE, development login and consent forms (inputs `login` and
 * `password`, any password), and ES256 JWT access tokens for `audience` carrying the user's `name`
 * and roles.
 */
export async function startOidcProvider(options: OidcProviderOptions): Promise<OidcTestProvider> {
  const clientId = options.clientId ?? 'refund-desk';
  const audience = options.audience ?? clientId;
  const stalls: string[] = [];
  for (let attempt = 1; ; attempt++) {
    const started = await startProviderProcess({ ...options, clientId, audience });
    if ('issuer' in started) {
      if (stalls.length > 0) process.stderr.write(`the OIDC provider started at attempt ${attempt}; earlier attempts stalled:\n${stalls.join('\n')}\n`);
      const { child, issuer } = started;
      return {
        issuer,
        clientId,
        audience,
        close: async () => {
          if (child.exitCode !== null || child.signalCode !== null) return;
          const exited = new Promise((resolve) => child.once('exit', resolve));
          child.kill('SIGTERM');
          await exited;
        },
      };
    }
    stalls.push(`attempt ${attempt}: ${started.stalled}`);
    recordDiagnosis('oidc-provider', `the OIDC provider did not start within ${ATTEMPT_TIMEOUT_MS} ms (attempt ${attempt})`, started.stalled.split('\n'));
    if (attempt === ATTEMPTS) throw new Error(`the OIDC provider did not start in ${ATTEMPTS} attempts of ${ATTEMPT_TIMEOUT_MS} ms:\n${stalls.join('\n')}`);
  }
}

/** One provider process: its issuer once it listens, or what it had said when it was killed for stalling. */
async function startProviderProcess(options: OidcProviderOptions & { clientId: string; audience: string }): Promise<{ child: ChildProcess; issuer: string } | { stalled: string }> {
  const child: ChildProcess = spawn(process.execPath, [providerScript()], {
    env: {
      PATH: process.env.PATH,
      NODE_ENV: 'development',
      OIDC_PROVIDER_OPTIONS: JSON.stringify(options),
    },
    // Its stdin closes when this process ends however it ends, and the provider then ends too.
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let output = '';
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  return new Promise((resolve, reject) => {
    // After a stall of this process or of the machine, the timer and the provider's line are both due at once, and
    // timers run before I/O: the give-up waits one turn (setImmediate runs after the I/O phase), so a line that did
    // arrive in time wins.
    let started = false;
    const timer = setTimeout(
      () =>
        setImmediate(() => {
          if (started) return;
          child.removeAllListeners('exit');
          child.kill('SIGKILL');
          resolve({ stalled: output.trim() || '(nothing on stderr)' });
        }),
      ATTEMPT_TIMEOUT_MS,
    );
    let stdout = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const line = stdout.split('\n').find((candidate, i, lines) => candidate.startsWith('{') && i < lines.length - 1);
      if (!line) return;
      started = true;
      clearTimeout(timer);
      resolve({ child, issuer: (JSON.parse(line) as { issuer: string }).issuer });
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the OIDC provider exited with ${code}:\n${output}`));
    });
  });
}

export interface SignInResult {
  readonly accessToken: string;
  readonly idToken: string;
}

/** Cookies by name, as a browser would keep them for the provider's one origin. */
class CookieJar {
  private readonly cookies = new Map<string, string>();

  store(response: Response): void {
    for (const header of response.headers.getSetCookie()) {
      const [pair, ...attributes] = header.split(';');
      const index = pair.indexOf('=');
      const name = pair.slice(0, index).trim();
      const expired = attributes.some((attribute) => /^\s*max-age=0\s*$/i.test(attribute) || /^\s*expires=thu, 01 jan 1970/i.test(attribute));
      if (expired) this.cookies.delete(name);
      else this.cookies.set(name, pair.slice(index + 1).trim());
    }
  }

  header(): string {
    return [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
  }
}

/**
 * What a browser does at sign-in, over plain HTTP: the authorization request with PKCE, the
 * provider's login form (login, any password), its consent form, the redirect back with the code,
 * and the code exchanged for tokens by the public client.
 */
export async function signInWithAuthorizationCode(
  provider: Pick<OidcTestProvider, 'issuer' | 'clientId'>,
  options: { login: string; redirectUri: string; scope?: string },
): Promise<SignInResult> {
  const discovery = (await (await fetch(`${provider.issuer}/.well-known/openid-configuration`)).json()) as {
    authorization_endpoint: string;
    token_endpoint: string;
  };
  const verifier = randomBytes(32).toString('base64url');
  const state = randomBytes(16).toString('base64url');
  const authorize = new URL(discovery.authorization_endpoint);
  authorize.search = new URLSearchParams({
    client_id: provider.clientId,
    redirect_uri: options.redirectUri,
    response_type: 'code',
    scope: options.scope ?? 'openid profile',
    state,
    code_challenge: createHash('sha256').update(verifier).digest('base64url'),
    code_challenge_method: 'S256',
  }).toString();

  const jar = new CookieJar();
  const go = async (url: string, init: RequestInit = {}): Promise<Response> => {
    const response = await fetch(url, { ...init, redirect: 'manual', headers: { ...(init.headers as Record<string, string>), cookie: jar.header() } });
    jar.store(response);
    return response;
  };
  const forms: Record<string, Record<string, string>> = {
    login: { prompt: 'login', login: options.login, password: 'any password will do' },
    consent: { prompt: 'consent' },
  };

  let response = await go(authorize.toString());
  for (let step = 0; step < 20; step += 1) {
    if (response.status >= 300 && response.status < 400) {
      const location = new URL(response.headers.get('location')!, response.url || provider.issuer).toString();
      if (location.startsWith(options.redirectUri)) {
        const answer = new URL(location).searchParams;
        if (answer.get('error')) throw new Error(`the provider refused the sign-in: ${answer.get('error')}: ${answer.get('error_description')}`);
        if (answer.get('state') !== state) throw new Error('the provider sent back another state');
        return exchange(discovery.token_endpoint, provider.clientId, options.redirectUri, answer.get('code')!, verifier);
      }
      response = await go(location);
      continue;
    }
    const page = await response.text();
    if (response.status !== 200) throw new Error(`the provider answered ${response.status}: ${page.slice(0, 500)}`);
    const prompt = /name="prompt" value="(\w+)"/.exec(page)?.[1];
    const action = /<form[^>]*action="([^"]+)"/.exec(page)?.[1];
    if (!prompt || !forms[prompt] || !action) throw new Error(`unexpected page from the provider: ${page.slice(0, 500)}`);
    response = await go(new URL(action.replace(/&amp;/g, '&'), provider.issuer).toString(), {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(forms[prompt]).toString(),
    });
  }
  throw new Error('the sign-in did not come back to the redirect URI within 20 steps');
}

async function exchange(tokenEndpoint: string, clientId: string, redirectUri: string, code: string, verifier: string): Promise<SignInResult> {
  const response = await fetch(tokenEndpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'authorization_code', client_id: clientId, redirect_uri: redirectUri, code, code_verifier: verifier }).toString(),
  });
  const body = (await response.json()) as { access_token?: string; id_token?: string; error?: string; error_description?: string };
  if (!response.ok || !body.access_token || !body.id_token) throw new Error(`the token request failed (${response.status}): ${JSON.stringify(body)}`);
  return { accessToken: body.access_token, idToken: body.id_token };
}
