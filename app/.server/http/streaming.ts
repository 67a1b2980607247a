// Building a download as a stream: each batch is written to the response as
// soon as it is read, and the next one is read only when the client has taken
// the last (pull-based ReadableStream, and sendFetchResponse waits for
// 'drain'). Memory stays at about one batch whatever the file's size.
const encoder = new TextEncoder();

/** A byte stream from an async source of text chunks; stops reading when the client goes away. */
export function textStream(chunks: AsyncIterable<string>): ReadableStream<Uint8Array> {
  const iterator = chunks[Symbol.asyncIterator]();
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        const next = await iterator.next();
        if (next.done) controller.close();
        else controller.enqueue(encoder.encode(next.value));
      },
      async cancel() {
        await iterator.return?.();
      },
    },
    { highWaterMark: 1 },
  );
}
