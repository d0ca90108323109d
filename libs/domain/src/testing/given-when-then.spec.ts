import { specFor } from './given-when-then';

class Refused extends Error {}
class Other extends Error {}

type Command = { readonly add: number } | { readonly refuse: 'refused' | 'other' };
const counter = specFor<Command, number, number>({
  initialState: () => 0,
  evolve: (state, event) => state + event,
  decide: (command, state) => {
    if ('add' in command) return [state + command.add];
    throw command.refuse === 'refused' ? new Refused('no') : new Other('no');
  },
});

describe('specFor', () => {
  it('folds the given events before deciding', () => {
    let seen: number[] = [];
    counter(1, 2).when({ add: 10 }).then((events) => (seen = events));
    expect(seen).toEqual([13]);
  });

  it('passes the expected error to the check', () => {
    const check = jest.fn();
    counter().when({ refuse: 'refused' }).thenThrows(Refused, check);
    expect(check).toHaveBeenCalledWith(expect.any(Refused));
  });

  it('fails when the command produces events instead of the error', () => {
    expect(() => counter().when({ add: 1 }).thenThrows(Refused)).toThrow('expected Refused but the command produced [1]');
  });

  it('fails even when the expected error type is Error itself', () => {
    expect(() => counter().when({ add: 1 }).thenThrows(Error)).toThrow('expected Error but the command produced [1]');
  });

  it('lets an unexpected error through', () => {
    expect(() => counter().when({ refuse: 'other' }).thenThrows(Refused)).toThrow(Other);
  });

  it('lets a failing check fail the spec', () => {
    expect(() =>
      counter()
        .when({ refuse: 'refused' })
        .thenThrows(Refused, () => {
          throw new Error('check failed');
        }),
    ).toThrow('check failed');
  });
});
