// The journal's server-sent events, read with fetch rather than EventSource: EventSource cannot send
// an Authorization header, and the token must not go in the URL. Reconnects with Last-Event-ID after
// a dropped connection or an `overflow` (the reader fell behind), so no event is missed.

/**
 * Follows /environments/:id/journal/stream from `since` (exclusive). `onEvents` gets each batch of
 * parsed events as they arrive. Returns a function that stops following.
 */
export function followJournal(path, token, since, { onEvents, onState }) {
  const controller = new AbortController();
  let lastSeq = since;
  let stopped = false;

  const run = async () => {
    let backoff = 250;
    while (!stopped) {
      try {
        onState?.('live');
        const response = await fetch(`${path}/journal/stream`, {
          headers: { accept: 'text/event-stream', authorization: `Bearer ${token}`, 'last-event-id': String(lastSeq) },
          signal: controller.signal,
        });
        if (!response.ok) {
          onState?.(`stream refused (${response.status})`);
          if (response.status === 401 || response.status === 404) return;
        } else {
          backoff = 250;
          const ended = await readEvents(response.body, (batch) => {
            lastSeq = batch[batch.length - 1].seq;
            onEvents(batch);
          });
          if (ended === 'end') {
            onState?.('environment destroyed');
            return;
          }
        }
      } catch (error) {
        if (stopped) return;
        onState?.(`reconnecting (${error.message})`);
      }
      await new Promise((resolve) => setTimeout(resolve, backoff));
      backoff = Math.min(backoff * 2, 5000);
    }
  };
  void run();
  return () => {
    stopped = true;
    controller.abort();
  };
}

/** Parses an event stream; hands over the `journal` events of each network chunk as one batch. */
async function readEvents(body, onBatch) {
  const reader = body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return 'closed';
    buffer += value;
    const batch = [];
    let end;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      let type = 'message';
      let data = '';
      for (const line of block.split('\n')) {
        if (line.startsWith('event: ')) type = line.slice(7);
        else if (line.startsWith('data: ')) data += line.slice(6);
      }
      if (type === 'journal' && data) batch.push(JSON.parse(data));
      else if (type === 'end') {
        if (batch.length) onBatch(batch);
        return 'end';
      }
      // `overflow`: the server closes the stream; the loop reconnects from the last seq seen.
    }
    if (batch.length) onBatch(batch);
  }
}
