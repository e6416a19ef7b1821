// Tenants as supabase-js sees them: the host rule without the IP trap, and tenants created or
// deleted through the admin API taking effect without a restart.
import { after, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { randomUUID } from 'node:crypto'
import { createClient } from '@supabase/supabase-js'
import WebSocket from 'ws'
import {
  REALTIME_URL, anonKey, client, closeAll, ensureTenant, handshake, joined, sign, waitFor,
} from '../lib/realtime.mjs'

after(closeAll)

const unique = (name) => `${name}-${randomUUID().slice(0, 8)}`

/** A client whose URL names the server by another host (127.0.0.1 instead of localhost). */
function clientAt(hostname) {
  const url = new URL(REALTIME_URL)
  url.hostname = hostname
  return createClient(url.toString().replace(/\/$/, ''), anonKey(), {
    auth: { persistSession: false, autoRefreshToken: false, detectSessionInUrl: false },
    realtime: { transport: WebSocket, timeout: 10_000 },
  })
}

async function admin(method, path) {
  const now = Math.floor(Date.now() / 1000)
  const token = sign({ iat: now, exp: now + 300, role: undefined }, process.env.API_JWT_SECRET)
  const response = await fetch(`${REALTIME_URL}/api/tenants${path}`, { method, headers: { authorization: `Bearer ${token}` } })
  return response.status
}

describe('host rule', () => {
  test('127.0.0.1 and localhost both reach the default tenant (no tenant named "127")', async () => {
    const name = unique('ip-and-name')
    const viaIp = clientAt('127.0.0.1')
    try {
      const received = []
      await joined(client().channel(name).on('broadcast', { event: 'hello' }, (m) => received.push(m.payload)))
      const sender = await joined(viaIp.channel(name))
      await sender.send({ type: 'broadcast', event: 'hello', payload: { from: '127.0.0.1' } })
      await waitFor('the broadcast sent through 127.0.0.1 to arrive at the localhost client', () => received.length === 1)
      assert.deepEqual(received, [{ from: '127.0.0.1' }])
    } finally {
      await viaIp.removeAllChannels()
      viaIp.realtime.disconnect()
    }
  })
})

describe('tenant lifecycle', () => {
  test('a tenant created through the API is joined at once, and refused once deleted', async () => {
    const tenant = unique('fresh').toLowerCase()
    const host = `${tenant}.localhost`
    const before = await handshake(`apikey=${anonKey()}&vsn=2.0.0`, { host })
    assert.equal(before.status, 404)
    assert.deepEqual(JSON.parse(before.body), { error: 'Tenant not found' })

    await ensureTenant(tenant)
    const supabase = client({ host })
    const system = []
    await joined(supabase.channel(unique('room')).on('system', {}, (m) => system.push(m)))

    assert.equal(await admin('DELETE', `/${tenant}`), 204)
    await waitFor('the drain notice on the deleted tenant\'s channel',
      () => system.some((m) => m.message === 'Server requested disconnect'))
    await waitFor('the deleted tenant\'s socket to close', () => !supabase.realtime.isConnected())

    const afterDelete = await handshake(`apikey=${anonKey()}&vsn=2.0.0`, { host })
    assert.equal(afterDelete.status, 404)
  })
})
