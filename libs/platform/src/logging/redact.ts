const REDACTED = '[redacted]';

/** Query parameters that carry credentials by convention, whatever their value looks like. */
const SECRET_PARAMETER = /^(access[_-]?token|id[_-]?token|refresh[_-]?token|token|jwt|bearer|auth|authorization|api[_-]?key|secret|password)$/i;

/** Anything shaped like a JWS (header.payload.signature, the header starting `{"` in base64url). */
const JWT_SHAPE = /eyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*/g;

function parameterName(pair: string): string {
  const name = pair.split('=', 1)[0];
  try {
    return decodeURIComponent(name.replace(/\+/g, ' '));
  } catch {
    return name;
  }
}

/**
 * A request URL fit for a log line: credential parameters (`?access_token=…`) and anything shaped
 * like a token, in the path or the query, are replaced by `[redacted]`. The API never reads tokens
 * from the URL, but clients send them there anyway, and logs outlive tokens.
 */
export function redactUrl(url: string | undefined): string | undefined {
  if (url === undefined) return undefined;
  const question = url.indexOf('?');
  let redacted = url;
  if (question >= 0) {
    const query = url
      .slice(question + 1)
      .split('&')
      .map((pair) => (SECRET_PARAMETER.test(parameterName(pair)) && pair.includes('=') ? `${pair.split('=', 1)[0]}=${REDACTED}` : pair))
      .join('&');
    redacted = `${url.slice(0, question)}?${query}`;
  }
  return redacted.replace(JWT_SHAPE, REDACTED);
}
