// Shared helpers of the end-to-end suites: supabase-js clients against the server under test,
// HS256 tokens, tenants through the admin API, SQL on the test database, and waiting with a
// deadline. Configured by the environment SupabaseJsIT passes:
//   REALTIME_URL   http base URL of the server, e.g. http://localhost:9082
//   JWT_SECRET     the default tenant's JWT secret
//   API_JWT_SECRET the admin API secret
//   DB_URL         postgres://postgres@localhost:54339/postgres (the server's embedded database)
import { createHmac, randomUUID } from 'node:crypto'
import { createClient } from '@supabase/supabase-js'
import WebSocket from 'ws'
import pg from 'pg'

function required(name) {
  const value = process.env[name]
  if (!value) throw new Error(`Set ${name} (SupabaseJsIT passes it; see e2e/README.md)`)
  return value
}

export const REALTIME_URL = required('REALTIME_URL')
export const JWT_SECRET = required('JWT_SECRET')

const base64url = (value) => Buffer.from(value).toString('base64url')

/** An HS256 JWT with the given claims; `exp` defaults to an hour from now (pass `exp: undefined` to omit it). */
export function sign(claims, secret = JWT_SECRET) {
  const now = Math.floor(Date.now() / 1000)
  const body = { iat: now, exp: now + 3600, ...claims }
  for (const key of Object.keys(body)) if (body[key] === undefined) delete body[key]
  const unsigned = `${base64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }))}.${base64url(JSON.stringify(body))}`
  return `${unsigned}.${createHmac('sha256', secret).update(unsigned).digest('base64url')}`
}

/** The anon key of the default tenant. */
export const anonKey = () => sign({ role: 'anon' })

/** A signed-in user's token. */
export const userToken = (sub = randomUUID(), extra = {}) => sign({ role: 'authenticated', sub, ...extra })

/** A `ws` class that sends a chosen Host header, which is how a tenant other than the default one is selected. */
export function transportFor(host) {
  if (!host) return WebSocket
  return class HostWebSocket extends WebSocket {
    constructor(url, protocols, options = {}) {
      super(url, protocols, { ...options, headers: { ...(options.headers ?? {}), host } })
    }
  }
}

const clients = new Set()

/**
 * A supabase-js client. Options: key (the apikey, default anon), vsn ('2.0.0' or '1.0.0'),
 * host (Host header, to select another tenant), realtime (more realtime options), url (another
 * server than REALTIME_URL, e.g. one node of a cluster).
 */
export function client({ key = anonKey(), vsn = '2.0.0', host, realtime = {}, url = REALTIME_URL } = {}) {
  const supabase = createClient(url, key, {
    auth: { persistSession: false, autoRefreshToken: false, detectSessionInUrl: false },
    realtime: { transport: transportFor(host), vsn, timeout: 10_000, ...realtime },
  })
  clients.add(supabase)
  return supabase
}

/** Disconnects every client created by `client()`; call it in `after()`. */
export async function closeAll() {
  await Promise.all([...clients].map(async (c) => {
    await c.removeAllChannels().catch(() => {})
    c.realtime.disconnect()
  }))
  clients.clear()
}

/**
 * Subscribes and resolves with the first final status: SUBSCRIBED, or the error
 * (CHANNEL_ERROR / TIMED_OUT / CLOSED) as `{ status, error }`.
 */
export function subscribe(channel) {
  return new Promise((resolve) => {
    let settled = false
    channel.subscribe((status, error) => {
      if (settled) return
      settled = true
      resolve({ status, error: error?.message })
    })
  })
}

/** Subscribes and fails unless SUBSCRIBED. */
export async function joined(channel) {
  const result = await subscribe(channel)
  if (result.status !== 'SUBSCRIBED') throw new Error(`${channel.topic}: ${result.status} ${result.error ?? ''}`)
  return channel
}

/** Polls `condition` until it is truthy or `deadlineMs` passes; returns its value. */
export async function waitFor(what, condition, deadlineMs = 10_000) {
  const end = Date.now() + deadlineMs
  let last
  for (let pause = 10; ; pause = Math.min(pause * 2, 200)) {
    try {
      const value = await condition()
      if (value) return value
    } catch (error) {
      last = error
    }
    if (Date.now() > end) {
      throw new Error(`Timed out after ${deadlineMs} ms waiting for ${what}${last ? `: ${last.message}` : ''}`)
    }
    await new Promise((r) => setTimeout(r, pause))
  }
}

/** Runs SQL on the server's embedded database as postgres. */
export async function sql(text, params = []) {
  const db = new pg.Client({ connectionString: required('DB_URL') })
  await db.connect()
  try {
    return (await db.query(text, params)).rows
  } finally {
    await db.end()
  }
}

/** A token for the admin API. */
function adminToken() {
  const now = Math.floor(Date.now() / 1000)
  return sign({ iat: now, exp: now + 300, role: undefined }, required('API_JWT_SECRET'))
}

/**
 * Creates or updates a tenant through the admin API, with the test JWT secret, on the test
 * database unless `dbUrl` names another one.
 */
export async function ensureTenant(id, fields = {}, { dbUrl = required('DB_URL') } = {}) {
  const db = new URL(dbUrl)
  const admin = adminToken()
  const response = await fetch(`${REALTIME_URL}/api/tenants/${id}`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${admin}` },
    body: JSON.stringify({
      tenant: {
        name: id,
        jwt_secret: JWT_SECRET,
        ...fields,
        extensions: [{
          type: 'postgres_cdc_rls',
          settings: {
            db_name: db.pathname.slice(1), db_host: db.hostname, db_port: db.port, db_user: db.username || 'postgres',
            db_password: db.password || 'postgres', region: 'local', ssl_enforced: false,
          },
        }],
      },
    }),
  })
  if (!response.ok) throw new Error(`tenant ${id}: ${response.status} ${await response.text()}`)
}

/** Deletes a tenant through the admin API (its sockets are drained, its streams stopped). */
export async function deleteTenant(id) {
  const response = await fetch(`${REALTIME_URL}/api/tenants/${id}`, {
    method: 'DELETE', headers: { authorization: `Bearer ${adminToken()}` },
  })
  if (response.status !== 204) throw new Error(`deleting tenant ${id}: ${response.status} ${await response.text()}`)
}

/**
 * Opens a raw WebSocket handshake and resolves with how it ended: `{ open: true }`, or
 * `{ status, body }` when the server answered with an HTTP error instead of upgrading. `origin`
 * sends an Origin header as a browser does (ws sends none by default); `base` is the server's
 * http URL (REALTIME_URL unless a cluster suite picks a node).
 */
export function handshake(query, { host, origin, base = REALTIME_URL } = {}) {
  const url = `${base.replace(/^http/, 'ws')}/realtime/v1/websocket?${query}`
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, { ...(host ? { headers: { host } } : {}), ...(origin ? { origin } : {}) })
    socket.on('open', () => {
      socket.close()
      resolve({ open: true })
    })
    socket.on('unexpected-response', (request, response) => {
      let body = ''
      response.setEncoding('utf8')
      response.on('data', (chunk) => { body += chunk })
      response.on('end', () => {
        resolve({ status: response.statusCode, body })
        // ws leaves a refused handshake's connection open (keep-alive) for 30 s unless aborted.
        socket.removeAllListeners('error')
        socket.on('error', () => {})
        socket.terminate()
      })
    })
    socket.on('error', reject)
  })
}
