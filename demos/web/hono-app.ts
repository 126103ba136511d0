/**
 * The Hono app the web demo mounts at `/hono`: routes written as a Hono user writes them, served
 * by Spindle through `fetchHandler` (the `Request` it gets has `/hono` taken off its path).
 *
 * @module
 */
import { Hono } from 'hono';

/** A small Hono app: a greeting, a route with a parameter, JSON. */
export function honoApp(): Hono {
  const app = new Hono();
  app.get('/', (c) => c.text('Hello from Hono, served by Spindle\n'));
  app.get('/greet/:name', (c) => c.json({ greeting: `Hello, ${c.req.param('name')}!` }));
  return app;
}
