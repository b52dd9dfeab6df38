/**
 * A promise queue: runs async operations one after another, in call order, whatever each one's outcome
 * (a page's device change never interleaves with a start; a lesson's read-modify-write of the stage never
 * interleaves with another). Both ends use it.
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
