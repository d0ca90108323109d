import { HttpProblem } from '@refund-desk/platform';
import { parseIfMatch } from './request-context';

describe('parseIfMatch', () => {
  it.each([
    ['"5"', 5],
    ['W/"12"', 12],
    ['7', 7],
    [' "3" ', 3],
    [['"4"', '"9"'], 4],
  ])('reads %p as version %p', (header, version) => {
    expect(parseIfMatch(header as string)).toBe(version);
  });

  it('treats an absent header and * as no precondition', () => {
    expect(parseIfMatch(undefined)).toBeUndefined();
    expect(parseIfMatch('*')).toBeUndefined();
  });

  it.each(['"abc"', '"-1"', 'yesterday', '"1", "2"', '"99999999999"'])('refuses %p with a 400 naming the header', (header) => {
    expect(() => parseIfMatch(header)).toThrow(HttpProblem);
    try {
      parseIfMatch(header);
    } catch (error) {
      expect((error as HttpProblem).status).toBe(400);
      expect((error as HttpProblem).extras.errors?.[0].field).toBe('If-Match');
    }
  });
});
