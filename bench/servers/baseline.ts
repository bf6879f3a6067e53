// The bare baseline: node:http, an HMAC check over the raw body, one INSERT through a pg pool.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer } from 'node:http';
import pg from 'pg';

const { DATABASE_URL, SECRET = '' } = process.env;
const pool = new pg.Pool({ connectionString: DATABASE_URL, max: 10 });
await pool.query(
  'create table if not exists baseline_deliveries (id text primary key, payload jsonb not null, received_at timestamptz not null default now())',
);
const server = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', async () => {
    const body = Buffer.concat(chunks);
    const expected = Buffer.from(`sha256=${createHmac('sha256', SECRET).update(body).digest('hex')}`);
    const given = Buffer.from(String(req.headers['x-hub-signature-256'] ?? ''));
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
      res.writeHead(401).end();
      return;
    }
    try {
      await pool.query('insert into baseline_deliveries (id, payload) values ($1, $2)', [
        req.headers['x-github-delivery'],
        body.toString(),
      ]);
      res.writeHead(202, { 'content-type': 'application/json' }).end('{"status":"queued"}');
    } catch {
      res.writeHead(503).end();
    }
  });
});
server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  process.send?.({ port: typeof address === 'object' && address ? address.port : 0 });
});
process.on('SIGTERM', () => process.exit(0));
