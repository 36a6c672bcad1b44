import http from 'node:http';
import https from 'node:https';

/**
 * node-fetch's `agent` option with one keep-alive agent per protocol: repeated calls to the same
 * host (polls of Huawei, posts to one channel) reuse their connection instead of a new TLS handshake.
 *
 * @example
 * const agent = keepAliveAgents();
 * await fetch(url, { agent, signal: AbortSignal.timeout(5000) });
 */
export function keepAliveAgents(): (url: URL) => http.Agent {
  const agents = { http: new http.Agent({ keepAlive: true }), https: new https.Agent({ keepAlive: true }) };
  return (url) => (url.protocol === 'http:' ? agents.http : agents.https);
}
