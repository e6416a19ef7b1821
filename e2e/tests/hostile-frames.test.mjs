// Hostile input that supabase-js itself can send: a topic longer than the cap, a join with more
// postgres_changes bindings than the cap, a presence meta larger than the cap. Each gets its
// documented error while a victim on the same tenant keeps getting every row and broadcast.
// (Raw-frame attacks, fragments, never-joining sockets and the fuzz run are in HostileInboundIT.)
import assert from 'node:assert/strict'
import { after, test } from 'node:test'
import { client, closeAll, joined, subscribe, waitFor } from '../lib/realtime.mjs'
import { startVictim } from '../lib/victim.mjs'

after(closeAll)

test('oversized topics, bindings and presence metas get their documented errors; the victim is unharmed', async () => {
  const victim = await startVictim('frames')
  try {
    victim.startProbing({ everyMs: 50 })
    // Five rounds, so the victim probes all through the attacks, not just around one of them.
    for (let round = 0; round < 5; round++) {
      const attacker = client()

      const longTopic = await subscribe(attacker.channel('t'.repeat(256)))
      assert.equal(longTopic.status, 'CHANNEL_ERROR')
      assert.equal(longTopic.error, 'TopicNameTooLong: Topic names are limited to 255 bytes')

      let greedy = attacker.channel(`greedy-${round}`)
      for (let i = 0; i < 101; i++) {
        greedy = greedy.on('postgres_changes', { event: '*', schema: 'public', table: victim.table, filter: `seq=eq.${i}` }, () => {})
      }
      const bindings = await subscribe(greedy)
      assert.equal(bindings.status, 'CHANNEL_ERROR')
      assert.equal(bindings.error, 'TooManyPostgresChanges: At most 100 postgres_changes bindings per channel')

      const system = []
      const fat = await joined(attacker.channel(`fat-presence-${round}`).on('system', {}, (m) => system.push(m)))
      fat.track({ blob: 'z'.repeat(17 * 1024) }) // no reply comes: the channel is closed with a system error
      const refused = await waitFor('the track size error', () => system.find((m) => m.status === 'error'))
      assert.equal(refused.message, 'Track message size exceeded')
      assert.equal(refused.channel, `fat-presence-${round}`)
      attacker.realtime.disconnect()
    }
    await waitFor('the victim probing through 2 s of attacks', () => victim.stats().rows.sent >= 40, 10_000)
    const stats = await victim.stopProbing()
    console.log(victim.describe(stats))
    victim.assertUnharmed(stats, { boundMs: 1000 })
  } finally {
    await victim.close()
  }
})
