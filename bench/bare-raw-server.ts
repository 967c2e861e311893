/**
 * The intake benchmark's baseline: an Express endpoint that reads the raw body (same parser, same 1 MB limit)
 * and answers 204, doing nothing else. What Truce's intake adds on top is verification, validation and storage.
 */
import express from 'express';

const app = express();
app.post('/webhooks/hubspot', express.raw({ type: () => true, limit: '1mb' }), (_req, res) => {
  res.status(204).end();
});
const server = app.listen(Number(process.env.PORT ?? 0), '127.0.0.1');
process.on('SIGTERM', () => server.close(() => process.exit(0)));
