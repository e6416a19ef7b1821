// Helpers of the cluster suites (e2e/cluster/*.test.mjs): several server processes sharing one
// Redis and one PostgreSQL, started by ClusterIT, which passes besides realtime.mjs's variables:
//   NODE_URLS        the nodes' http base URLs, comma-separated (REALTIME_URL is the first)
//   CLUSTER_CONTROL  http base URL of the test JVM's control endpoint (kill/start nodes and Redis)
import http from 'node:http'
import { randomUUID } from 'node:crypto'
import { client } from './realtime.mjs'

function required(name) {
  const value = process.env[name]
  if (!value) throw new Error(`Set ${name} (ClusterIT passes it; see e2e/README.md)`)
  return value
}

/** The nodes' base URLs, in ClusterIT's order. */
export const NODE_URLS = required('NODE_URLS').split(',').map((url) => url.trim()).filter(Boolean)

/** A topic name no other test uses. */
export const unique = (name) => `${name}-${randomUUID().slice(0, 8)}`

/** A supabase-js client connected to node `index` (0-based); the options are realtime.mjs's `client()`'s. */
export function clientOn(index, options = {}) {
  const url = NODE_URLS[index]
  if (!url) throw new Error(`no node ${index}: NODE_URLS has ${NODE_URLS.length}`)
  return client({ ...options, url })
}

/** An HTTP request to node `index` (fetch cannot set Host; the node's URL says localhost, the default tenant). */
export function request(index, method, path, { token, body } = {}) {
  const url = new URL(path, NODE_URLS[index])
  const headers = { 'content-type': 'application/json' }
  if (token) headers.authorization = `Bearer ${token}`
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method, headers }, (response) => {
      let text = ''
      response.setEncoding('utf8')
      response.on('data', (chunk) => { text += chunk })
      response.on('end', () => resolve({ status: response.statusCode, body: text }))
    })
    req.on('error', reject)
    req.end(body === undefined ? undefined : JSON.stringify(body))
  })
}

/**
 * Asks ClusterIT to act on a process it owns and resolves when that is done: `kill` (SIGKILL)
 * or `start` (again, same port, waits until ready) node `index`, or Redis when `index` is 'redis'.
 */
export async function control(index, action) {
  const path = index === 'redis' ? `/redis/${action}` : `/node/${index}/${action}`
  const response = await fetch(new URL(path, required('CLUSTER_CONTROL')), { method: 'POST' })
  if (response.status !== 204) throw new Error(`cluster control ${path}: ${response.status} ${await response.text()}`)
}
