/**
 * Is there a streamed field in `value`: an AsyncIterable, or a plain object
 * holding one (at any depth of plain objects; arrays are not searched)?
 */
export function hasStream(value: unknown): boolean {
  return isAsyncIterable(value) || (isPlainObject(value) && Object.values(value).some(hasStream));
}

/**
 * The JSON text of `value` in pieces, a streamed field (an AsyncIterable) as
 * an array written an item at a time, so a listing of 1,000,000 files is
 * never one string. Joined, the pieces are exactly JSON.stringify of `value`
 * with each stream collected into an array (same keys, order and spacing);
 * parts that hold no stream are one JSON.stringify each.
 */
export async function* jsonPieces(value: unknown): AsyncGenerator<string> {
  if (isAsyncIterable(value)) {
    let sep = '[';
    for await (const item of value) {
      yield sep + (JSON.stringify(item) ?? 'null');
      sep = ',';
    }
    yield sep === '[' ? '[]' : ']';
    return;
  }
  if (!hasStream(value)) {
    yield JSON.stringify(value);
    return;
  }
  let sep = '{';
  for (const [key, field] of Object.entries(value as Record<string, unknown>)) {
    if (hasStream(field)) {
      yield `${sep}${JSON.stringify(key)}:`;
      yield* jsonPieces(field);
    } else {
      // undefined, a function or a symbol: left out, as JSON.stringify does
      const text = JSON.stringify(field);
      if (text === undefined) continue;
      yield `${sep}${JSON.stringify(key)}:${text}`;
    }
    sep = ',';
  }
  yield sep === '{' ? '{}' : '}';
}

function isAsyncIterable(value: unknown): value is AsyncIterable<unknown> {
  return typeof value === 'object' && value !== null && typeof (value as Record<symbol, unknown>)[Symbol.asyncIterator] === 'function';
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}
