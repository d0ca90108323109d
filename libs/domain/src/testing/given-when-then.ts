/**
 * Given events, when a command, then events or an error: the shape of every decider test.
 * Framework-free so any runner can use it; the assertions throw plain errors with a diff-able
 * message, and jest's `expect` is used by the callers for the detailed comparisons.
 */
export interface Decider<Command, Event, State> {
  decide(command: Command, state: State): Event[];
  evolve(state: State, event: Event): State;
  initialState(): State;
}

export interface Specification<Command, Event> {
  when(command: Command): {
    then(check: (events: Event[]) => void): void;
    thenThrows<E extends Error>(errorType: abstract new (...args: never[]) => E, check?: (error: E) => void): void;
  };
}

export function specFor<Command, Event, State>(
  decider: Decider<Command, Event, State>,
): (...given: Event[]) => Specification<Command, Event> {
  return (...given) => ({
    when: (command) => {
      const run = (): Event[] => decider.decide(command, given.reduce(decider.evolve, decider.initialState()));
      return {
        then: (check) => check(run()),
        thenThrows: (errorType, check) => {
          let events: Event[];
          try {
            events = run();
          } catch (error) {
            if (!(error instanceof errorType)) throw error;
            check?.(error);
            return;
          }
          // Raised outside the try so that thenThrows(Error) cannot swallow its own failure.
          throw new Error(`expected ${errorType.name} but the command produced ${JSON.stringify(events)}`);
        },
      };
    },
  });
}
