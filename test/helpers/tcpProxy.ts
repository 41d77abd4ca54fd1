import { createServer, connect, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';

/** Where a Postgres COMMIT is cut off: before it reaches the server, or after (only its answer is lost). */
export type CommitCut = 'before-server' | 'after-server';

export interface TcpProxy {
  /** host:port to give the client instead of the target's. */
  address: string;
  /**
   * Holds back everything the target sends to the client (requests still go through), the way a
   * response lost on the network does: the server acts, the client hears nothing.
   */
  holdResponses(): void;
  /** Lets held and later responses through again. */
  release(): void;
  /**
   * For a Postgres target: the next connection that sends a simple-protocol `COMMIT` is cut, either
   * before the COMMIT reaches the server (it rolls back) or right after (it commits, the client
   * never hears). Resolves when the cut has happened.
   */
  cutNextCommit(where: CommitCut): Promise<void>;
  /** Drops every open connection and refuses new ones until `up()`, like a dead network path. */
  down(): void;
  up(): void;
  close(): Promise<void>;
}

/** A Postgres simple-query message ('Q', length, SQL text) that commits. */
const isCommitMessage = (chunk: Buffer): boolean => chunk[0] === 0x51 && /^COMMIT;?\0/i.test(chunk.subarray(5).toString('latin1'));

/** A TCP proxy on 127.0.0.1 in front of `target` (host:port), for tests that need a response to go missing. */
export async function startTcpProxy(target: string): Promise<TcpProxy> {
  const [host, port] = [target.slice(0, target.lastIndexOf(':')), Number(target.slice(target.lastIndexOf(':') + 1))];
  let holding = false;
  let isDown = false;
  let commitCut: { where: CommitCut; done: () => void } | undefined;
  const held: { socket: Socket; chunk: Buffer }[] = [];
  const sockets = new Set<Socket>();

  const server = createServer((client) => {
    if (isDown) {
      client.destroy();
      return;
    }
    const upstream = connect(port, host);
    sockets.add(client).add(upstream);
    let muted = false;
    client.on('data', (chunk: Buffer) => {
      const cut = commitCut;
      if (cut && isCommitMessage(chunk)) {
        commitCut = undefined;
        if (cut.where === 'before-server') {
          upstream.destroy();
        } else {
          // Postgres reads the whole COMMIT before it sees the end of the stream, so it commits.
          muted = true;
          upstream.end(chunk);
        }
        client.destroy();
        cut.done();
        return;
      }
      upstream.write(chunk);
    });
    upstream.on('data', (chunk: Buffer) => {
      if (muted) return;
      if (holding) held.push({ socket: client, chunk });
      else client.write(chunk);
    });
    const drop = () => {
      client.destroy();
      if (!muted) upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on('error', drop).on('close', drop);
    upstream.on('error', drop).on('close', drop);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    address: `127.0.0.1:${(server.address() as AddressInfo).port}`,
    holdResponses() {
      holding = true;
    },
    release() {
      holding = false;
      for (const { socket, chunk } of held.splice(0)) if (!socket.destroyed) socket.write(chunk);
    },
    cutNextCommit(where) {
      return new Promise<void>((resolve) => {
        commitCut = { where, done: resolve };
      });
    },
    down() {
      isDown = true;
      for (const s of sockets) s.destroy();
    },
    up() {
      isDown = false;
    },
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
