/**
 * Server-sent events (the WHATWG HTML "text/event-stream" format) read from a stream of
 * text: one { event, data } per event, data lines joined with "\n", comments and events
 * without data skipped. Used for the model's streamed answers and, in the browser, for
 * Ripple's own writing-help streams.
 */
export type SseEvent = { event: string; data: string };

export async function* sseEvents(text: AsyncIterable<string>): AsyncGenerator<SseEvent> {
  let buffer = "";
  for await (const piece of text) {
    buffer += piece;
    let end;
    // An event ends with a blank line.
    while ((end = buffer.search(/\r?\n\r?\n/)) !== -1) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end).replace(/^\r?\n\r?\n/, "");
      let event = "message";
      const data: string[] = [];
      for (const line of block.split(/\r?\n/)) {
        if (line.startsWith("data:")) data.push(line.slice(5).replace(/^ /, ""));
        else if (line.startsWith("event:")) event = line.slice(6).trim();
      }
      if (data.length > 0) yield { event, data: data.join("\n") };
    }
  }
}

/** One event in the format, ready to write to a stream. */
export function sseEvent(event: string, data: unknown): string {
  return `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
}

/** A byte stream read as UTF-8 text, piece by piece (in a browser too: no Node streams). */
export async function* textOf(body: ReadableStream<Uint8Array<ArrayBuffer>>): AsyncGenerator<string> {
  const reader = body.pipeThrough(new TextDecoderStream()).getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      yield value;
    }
  } finally {
    await reader.cancel().catch(() => undefined);
  }
}
