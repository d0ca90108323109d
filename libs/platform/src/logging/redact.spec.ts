import { redactUrl } from './redact';

const TOKEN = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhbm4iLCJyb2xlcyI6WyJhZ2VudCJdfQ.c2lnbmF0dXJl';

describe('redactUrl', () => {
  it('leaves an ordinary URL alone', () => {
    expect(redactUrl('/v1/queues/manager?limit=5&cursor=abc&minPosition=3')).toBe('/v1/queues/manager?limit=5&cursor=abc&minPosition=3');
    expect(redactUrl('/health')).toBe('/health');
    expect(redactUrl(undefined)).toBeUndefined();
  });

  it.each(['access_token', 'token', 'Access-Token', 'id_token', 'jwt', 'api_key', 'authorization', 'access%5Ftoken'])(
    'redacts the value of the credential parameter %s',
    (name) => {
      const result = redactUrl(`/v1/policy?limit=1&${name}=opaque-secret-value&x=2`)!;
      expect(result).not.toContain('opaque-secret-value');
      expect(result).toBe(`/v1/policy?limit=1&${name}=[redacted]&x=2`);
    },
  );

  it('redacts a token wherever it appears: another parameter, the path, URL-encoded bearer prefix', () => {
    for (const url of [`/v1/policy?q=${TOKEN}`, `/v1/cases/${TOKEN}`, `/v1/policy?Authorization=Bearer%20${TOKEN}`, `/v1/policy?a=1#${TOKEN}`]) {
      const result = redactUrl(url)!;
      expect(result).not.toContain(TOKEN);
      expect(result).not.toContain(TOKEN.split('.')[2]);
      expect(result).toContain('[redacted]');
    }
  });
});
