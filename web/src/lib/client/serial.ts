/**
 * Runs async operations one after another, in call order, whatever each one's
 * outcome: a device change or a stop never interleaves with a start.
 */
export type Serial = <T>(operation: () => Promise<T>) => Promise<T>;

export function serial(): Serial {
  let tail: Promise<unknown> = Promise.resolve();
  return (operation) => {
    const result = tail.then(operation, operation);
    tail = result.catch(() => undefined);
    return result;
  };
}
