import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

import express from 'express';

import { createSandbox } from '../sandbox/sandbox';
import type { Benchmark } from './registry';

const CONTACTS = 10_000;
const READS = 300;
const EVENTS_CONTACTS = 3_000;

function perSecond(count: number, ms: number): number {
  return Math.round((count / ms) * 1000);
}

async function listen(app: express.Express): Promise<{ url: string; close: () => Promise<void> }> {
  const server = app.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/**
 * The sandbox's cost per call against a bare Express route answering a precomputed body of the same size
 * (the HTTP floor on this machine), and its webhook delivery rate against plain concurrent POSTs of the same
 * bodies to the same receiver.
 */
export const sandboxBenchmark: Benchmark = {
  name: 'sandbox',
  description: `seed ${CONTACTS} contacts; ${READS} batch reads of 100 with history vs a static route; webhook delivery`,
  async run(print) {
    let started = performance.now();
    const sandbox = await createSandbox({ contacts: CONTACTS, rateLimit: { perTenSeconds: 1e9 } });
    print(`seed ${CONTACTS} contacts: ${Math.round(performance.now() - started)} ms`);
    const ids = sandbox.seeded.contactIds;
    const body = (i: number) =>
      JSON.stringify({
        inputs: ids
          .slice((i * 100) % (CONTACTS - 100), ((i * 100) % (CONTACTS - 100)) + 100)
          .map((id) => ({ id })),
        properties: ['email', 'lifecyclestage'],
        propertiesWithHistory: ['lifecyclestage'],
      });
    const headers = {
      authorization: `Bearer ${sandbox.accessToken}`,
      'content-type': 'application/json',
    };
    const sample = await (
      await fetch(`${sandbox.url}/crm/v3/objects/contacts/batch/read`, {
        method: 'POST',
        headers,
        body: body(0),
      })
    ).text();
    const app = express();
    app.use(express.json());
    app.post('/static', (_req, res) => void res.type('json').send(sample));
    const baseline = await listen(app);
    try {
      started = performance.now();
      for (let i = 0; i < READS; i++) {
        await (
          await fetch(`${baseline.url}/static`, { method: 'POST', headers, body: body(i) })
        ).text();
      }
      const baseMs = performance.now() - started;
      started = performance.now();
      for (let i = 0; i < READS; i++) {
        await (
          await fetch(`${sandbox.url}/crm/v3/objects/contacts/batch/read`, {
            method: 'POST',
            headers,
            body: body(i),
          })
        ).text();
      }
      const sandboxMs = performance.now() - started;
      print(`batch read, static route (baseline): ${perSecond(READS, baseMs)} req/s`);
      print(
        `batch read, sandbox:                 ${perSecond(READS, sandboxMs)} req/s (ratio ${(baseMs / sandboxMs).toFixed(2)})`,
      );
    } finally {
      await baseline.close();
    }

    const received: string[] = [];
    const receiver = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        received.push(Buffer.concat(chunks).toString());
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    const target = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks`;
    try {
      sandbox.webhooks.connect({ targetUrl: target, clientSecret: 'bench-secret' });
      started = performance.now();
      for (let i = 0; i < EVENTS_CONTACTS; i++)
        sandbox.admin.create('contacts', { lifecyclestage: 'lead' });
      await sandbox.flush();
      const hookMs = performance.now() - started;
      const events = sandbox.webhooks.stats().deliveredEvents;
      const bodies = received.splice(0);
      started = performance.now();
      let next = 0;
      const worker = async () => {
        while (next < bodies.length) {
          const payload = bodies[next++] as string;
          await (await fetch(target, { method: 'POST', body: payload })).arrayBuffer();
        }
      };
      await Promise.all(Array.from({ length: 10 }, worker));
      const rawMs = performance.now() - started;
      print(
        `webhooks, plain POSTs of the same ${bodies.length} bodies (baseline): ${perSecond(events, rawMs)} events/s`,
      );
      print(
        `webhooks, sandbox (generate, sign, send): ${perSecond(events, hookMs)} events/s (ratio ${(rawMs / hookMs).toFixed(2)})`,
      );
    } finally {
      await new Promise((resolve) => receiver.close(resolve));
      await sandbox.close();
    }
  },
};
