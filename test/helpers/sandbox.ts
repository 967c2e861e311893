import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

import { Client } from '@hubspot/api-client';

import type { Sandbox } from '../../sandbox/sandbox';

/**
 * A real `@hubspot/api-client` pointed at the sandbox. Retries stay off: the client's retry decorator is
 * process-global, so every client in a test file is built with the same settings.
 */
export function sandboxClient(sandbox: Sandbox, accessToken = sandbox.accessToken): Client {
  return new Client({ accessToken, basePath: sandbox.url, numberOfApiCallRetries: 0 });
}

export interface ReceivedRequest {
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
  readonly rawBody: string;
}

export interface Receiver {
  readonly url: string;
  readonly requests: ReceivedRequest[];
  /** Decides the answer per request (default 204); may wait to simulate a slow receiver. */
  respond: (request: ReceivedRequest, index: number) => Promise<number> | number;
  inFlight: number;
  maxInFlight: number;
  close(): Promise<void>;
}

/** A bare webhook receiver on loopback that keeps the raw bytes of every request. */
export async function startReceiver(path = '/webhooks/hubspot'): Promise<Receiver> {
  const receiver: Receiver = {
    url: '',
    requests: [],
    respond: () => 204,
    inFlight: 0,
    maxInFlight: 0,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const request: ReceivedRequest = {
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        rawBody: Buffer.concat(chunks).toString('utf8'),
      };
      const index = receiver.requests.length;
      receiver.requests.push(request);
      receiver.inFlight++;
      receiver.maxInFlight = Math.max(receiver.maxInFlight, receiver.inFlight);
      void Promise.resolve(receiver.respond(request, index)).then((status) => {
        receiver.inFlight--;
        if (!res.destroyed) res.writeHead(status).end();
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  Object.assign(receiver, { url: `http://127.0.0.1:${port}${path}` });
  return receiver;
}
