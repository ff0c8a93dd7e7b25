// Scope guard for the scanners: an HTTP proxy on 127.0.0.1 that forwards requests to one
// target origin (http://127.0.0.1:PORT) and rejects every other destination. sqlmap and wapiti
// send all their traffic through it, so a payload, a redirect or a crash report that names
// another host never leaves this machine, and each such attempt is counted in the log.
//
// Usage: node loopback-proxy.mjs TARGET_ORIGIN LOG_FILE
// Prints the proxy's own address (http://127.0.0.1:PORT) on standard output once it listens.
import { appendFileSync } from 'node:fs';
import http from 'node:http';

const [targetOrigin, logFile] = process.argv.slice(2);
if (!targetOrigin || !logFile) {
  console.error('usage: node loopback-proxy.mjs TARGET_ORIGIN LOG_FILE');
  process.exit(2);
}
const target = new URL(targetOrigin);
if (target.protocol !== 'http:' || target.hostname !== '127.0.0.1') {
  console.error(`the target must be http://127.0.0.1:PORT, not ${targetOrigin}`);
  process.exit(2);
}

let forwarded = 0;

/** Appends one JSON line to the log: only the destination, never headers or bodies (they hold session cookies). */
function logRejection(kind, destination) {
  appendFileSync(logFile, `${JSON.stringify({ time: new Date().toISOString(), kind, destination })}\n`);
}

/** Returns whether an absolute request URL points at the target origin. */
function isTarget(url) {
  return url.protocol === 'http:' && url.hostname === target.hostname && url.port === target.port;
}

const server = http.createServer((request, response) => {
  let url;
  try {
    url = new URL(request.url ?? '');
  } catch {
    // A proxy request must carry an absolute URL; a relative one was not meant for a proxy.
    logRejection('relative-url', String(request.url).slice(0, 200));
    response.writeHead(400, { 'content-type': 'text/plain' }).end('absolute URL required\n');
    return;
  }

  if (!isTarget(url)) {
    logRejection('out-of-scope', url.origin);
    response.writeHead(403, { 'content-type': 'text/plain' }).end('destination outside the scan scope\n');
    request.resume();
    return;
  }

  forwarded += 1;
  const headers = { ...request.headers, host: target.host };
  delete headers['proxy-connection'];
  const upstream = http.request({ hostname: target.hostname, port: target.port, method: request.method, path: `${url.pathname}${url.search}`, headers }, (answer) => {
    response.writeHead(answer.statusCode ?? 502, answer.headers);
    answer.pipe(response);
  });
  upstream.on('error', (error) => {
    logRejection('upstream-error', error.code ?? error.message);
    if (!response.headersSent) response.writeHead(502, { 'content-type': 'text/plain' });
    response.end('target unreachable\n');
  });
  request.pipe(upstream);
});

// CONNECT opens a tunnel to any host and port (HTTPS, or a raw socket); the target is plain HTTP,
// so no tunnel is ever needed.
server.on('connect', (request, socket) => {
  logRejection('connect', String(request.url).slice(0, 200));
  socket.end('HTTP/1.1 403 Forbidden\r\n\r\n');
});

server.listen(0, '127.0.0.1', () => {
  const { port } = server.address();
  console.log(`http://127.0.0.1:${port}`);
});

function stop() {
  appendFileSync(logFile, `${JSON.stringify({ time: new Date().toISOString(), kind: 'summary', forwarded })}\n`);
  server.close();
  process.exit(0);
}
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
