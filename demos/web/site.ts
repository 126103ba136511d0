/**
 * The web demo's whole site as one `HttpHandler`: a JSON API, the chat's WebSocket, a Hono app
 * mounted at `/hono`, and a folder of static files for every other path.
 *
 * @module
 */
import { chatRoom } from '../../protocols/chat/index.js';
import { type HttpHandler, respond } from '../../protocols/http/index.js';
import { fetchHandler, router, staticFiles } from '../../protocols/web/index.js';
import { honoApp } from './hono-app.js';

const json = (status: number, value: unknown) =>
  respond(status, `${JSON.stringify(value)}\n`, { 'Content-Type': 'application/json' });

/**
 * The site serving the folder `root`:
 * - `GET /api/time`: the server's time, `{"now": ISO 8601, "unix": seconds}`;
 * - `POST /api/echo`: a JSON body sent back as `{"received": body}` (400 if it is not JSON);
 * - `/chat`: the chat room's WebSocket (the default site's `/chat.html` talks to it);
 * - `/hono/…`: the Hono app, which sees the path below `/hono`;
 * - anything else: the files below `root` (`index.html` for a folder).
 */
export function site(root: string): HttpHandler {
  const hono = fetchHandler(honoApp().fetch, { basePath: '/hono' });
  const rest = router()
    .get('/api/time', () => {
      const now = new Date();
      return json(200, { now: now.toISOString(), unix: Math.floor(now.getTime() / 1000) });
    })
    .post('/api/echo', async (request) => {
      try {
        return json(200, { received: await request.json() });
      } catch (error) {
        if (error instanceof SyntaxError) return json(400, { error: 'the body is not JSON' });
        throw error;
      }
    })
    .get('/chat', chatRoom())
    .all('/*', staticFiles(root));
  return (request) =>
    request.path === '/hono' || request.path.startsWith('/hono/') ? hono(request) : rest(request);
}
