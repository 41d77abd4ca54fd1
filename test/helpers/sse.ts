/** One server-sent event as a client sees it. */
export interface SseMessage {
  id?: string;
  event: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  data: any;
  at: number;
}

export interface SseClient {
  status: number;
  headers: Headers;
  messages: SseMessage[];
  comments: string[];
  /** Resolves once the server ended the stream. */
  ended: Promise<void>;
  /** The first message from `from` on (an index into `messages`) that passes `pred`. */
  next(pred: (m: SseMessage) => boolean, timeoutMs?: number, from?: number): Promise<SseMessage>;
  close(): void;
}

/** A text/event-stream client over fetch, parsing as EventSource does (enough for the tests). */
export async function openSse(url: string, headers: Record<string, string> = {}): Promise<SseClient> {
  const abort = new AbortController();
  const res = await fetch(url, { headers: { accept: 'text/event-stream', ...headers }, signal: abort.signal });
  const messages: SseMessage[] = [];
  const comments: string[] = [];
  const waiters = new Set<() => void>();
  const wake = () => {
    for (const w of [...waiters]) w();
  };
  let done = false;
  const ended = (async () => {
    if (!res.body) return;
    const reader = res.body.getReader();
    const decoder = new TextDecoder();
    let buf = '';
    try {
      for (;;) {
        const { value, done: finished } = await reader.read();
        if (finished) break;
        buf += decoder.decode(value, { stream: true });
        let cut: number;
        while ((cut = buf.indexOf('\n\n')) >= 0) {
          const block = buf.slice(0, cut);
          buf = buf.slice(cut + 2);
          const msg: Partial<SseMessage> & { dataLines: string[] } = { dataLines: [] };
          for (const line of block.split('\n')) {
            if (line.startsWith(':')) comments.push(line.slice(1).trim());
            else if (line.startsWith('id: ')) msg.id = line.slice(4);
            else if (line.startsWith('event: ')) msg.event = line.slice(7);
            else if (line.startsWith('data: ')) msg.dataLines.push(line.slice(6));
          }
          if (msg.dataLines.length > 0) {
            messages.push({ id: msg.id, event: msg.event ?? 'message', data: JSON.parse(msg.dataLines.join('\n')), at: Date.now() });
          }
          wake();
        }
      }
    } catch {
      // aborted by close()
    } finally {
      done = true;
      wake();
    }
  })();
  return {
    status: res.status,
    headers: res.headers,
    messages,
    comments,
    ended,
    next(pred, timeoutMs = 5_000, from = 0) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const hit = messages.slice(from).find(pred);
          if (hit) {
            cleanup();
            resolve(hit);
          } else if (done) {
            cleanup();
            reject(new Error(`stream ended without the message; got ${JSON.stringify(messages.map((m) => [m.event, m.id]))}`));
          }
        };
        const timer = setTimeout(() => {
          cleanup();
          reject(new Error(`no such message within ${timeoutMs} ms; got ${JSON.stringify(messages.map((m) => [m.event, m.id, m.data.changes ?? '']))}`));
        }, timeoutMs);
        const cleanup = () => {
          clearTimeout(timer);
          waiters.delete(check);
        };
        waiters.add(check);
        check();
      });
    },
    close() {
      abort.abort();
    },
  };
}
