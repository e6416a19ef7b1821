// Hostile postgres_changes filters on the default tenant, each case with a victim on the same
// tenant (own table and topic) whose rows and broadcasts must keep arriving complete, in order and
// within 2 s (the unattacked baseline is 1 s): patterns that backtracked for seconds or overflowed
// the stack before, patterns over the limits (refused at join), and a filter whose evaluation
// throws (only its binding stops), and error payloads that filters must not select (item 6).
import { after, test } from 'node:test'
import assert from 'node:assert/strict'
import { randomUUID } from 'node:crypto'
import { client, closeAll, joined, sql, waitFor } from '../lib/realtime.mjs'
import { startVictim } from '../lib/victim.mjs'

const BOUND_MS = 2000
const SUBSCRIBED = 'Subscribed to PostgreSQL'
const unique = (name) => `${name}_${randomUUID().slice(0, 8)}`
const tables = []
const domains = []

after(async () => {
  await closeAll()
  for (const name of tables) await sql(`drop table if exists public.${name}`)
  for (const name of domains) await sql(`drop domain if exists public.${name}`)
})

/** A fresh published table readable by anon. */
async function table(ddl) {
  const name = unique('hostile_filters')
  await sql(`create table public.${name} ${ddl}`)
  tables.push(name)
  await sql(`grant select on public.${name} to anon`)
  await sql(`alter publication supabase_realtime add table public.${name}`)
  return name
}

/** An attacker's channel with one binding per filter (null: none); payloads per binding, system messages. */
async function listen(t, filters) {
  const channel = client().channel(unique('attacker'))
  const got = filters.map(() => [])
  filters.forEach((filter, i) => channel.on('postgres_changes',
    { event: '*', schema: 'public', table: t, ...(filter === null ? {} : { filter }) }, (p) => got[i].push(p)))
  const system = []
  channel.on('system', {}, (message) => system.push(message))
  await joined(channel)
  await waitFor(`"${SUBSCRIBED}"`, () => system.some((m) => m.extension === 'postgres_changes' && m.message === SUBSCRIBED))
  return { got, system }
}

/**
 * Runs `attack(round)` while the victim probes, round after round until the victim has sent at
 * least 40 probes (2 s); asserts the victim unharmed and prints its line.
 */
async function withVictim(name, attack) {
  const victim = await startVictim(name)
  try {
    victim.startProbing({ everyMs: 50 })
    for (let round = 0; round === 0 || victim.stats().rows.sent < 40; round++) await attack(round)
    const stats = await victim.stopProbing()
    console.log(victim.describe(stats))
    victim.assertUnharmed(stats, { boundMs: BOUND_MS })
  } finally {
    await victim.close()
  }
}

test('catastrophic like, ilike, match and imatch patterns on long values are answered right, the victim unharmed', async () => {
  const t = await table('(id bigserial primary key, name text not null)')
  const { got, system } = await listen(t, [
    'name=like.%a%a%a%a%a%a%a%a!', 'name=ilike.%A%A%A%A%A%A%A%A!', 'name=match.(x|y)*z', 'name=imatch.(X|Y)*Z', null])
  // java.util.regex needed 4.5 s for like on 50 characters (exponential: minutes at 60) and
  // overflowed its stack for (x|y)*z on 3,000, ending the tenant's stream.
  const rows = [
    ...Array(10).fill('a'.repeat(60)), ...Array(10).fill('xy'.repeat(1500)), ...Array(3).fill('a'.repeat(100_000)),
    `${'a'.repeat(60)}!`, `${'xy'.repeat(1500)}z`, `${'xy'.repeat(1500)}Z`,
  ]
  let rounds = 0
  await withVictim('filters_patterns', async () => {
    rounds++
    for (const name of rows) await sql(`insert into public.${t} (name) values ($1)`, [name])
    await waitFor('every row on the unfiltered binding', () => got[4].length === rounds * rows.length, 30_000)
  })
  const times = (list) => Array(rounds).fill(list).flat()
  assert.deepEqual(got[0].map((p) => p.new.name.length), times([61]), 'like')
  assert.deepEqual(got[1].map((p) => p.new.name.length), times([61]), 'ilike')
  assert.deepEqual(got[2].map((p) => p.new.name.at(-1)), times(['z']), 'match')
  assert.deepEqual(got[3].map((p) => p.new.name.at(-1)), times(['z', 'Z']), 'imatch')
  assert.deepEqual(system.filter((m) => m.status === 'error'), [], 'no binding failed and the stream was never lost')
})

test('over-long and unsupported patterns are refused at join with upstream-style errors; the rest subscribes', async () => {
  const t = await table('(id bigserial primary key, name text not null)')
  const refused = {
    [`name=like.${'a'.repeat(1025)}`]: 'pattern for `like` filter is too long (1025 characters). Maximum 1024',
    [`name=ilike.${'%'.repeat(2000)}`]: 'pattern for `ilike` filter is too long (2000 characters). Maximum 1024',
    [`name=match.${'a'.repeat(257)}`]:
      'invalid regular expression for match filter: invalid regular expression: pattern is too long (257 characters). Maximum 256',
    'name=match.(a)\\1':
      'invalid regular expression for match filter: invalid regular expression: backreferences (\\1) are not supported',
    'name=imatch.a(?=b)':
      'invalid regular expression for imatch filter: invalid regular expression: lookahead and lookbehind constraints are not supported',
    'name=match.((a{100}){100}){100}': 'invalid regular expression for match filter: invalid regular expression: regular '
      + 'expression is too complex (more than 1000 steps once repetitions are expanded)',
  }
  await withVictim('filters_refused', async () => {
    const { got, system } = await listen(t, [...Object.keys(refused), 'name=like.ok%'])
    await sql(`insert into public.${t} (name) values ('ok then'), ('not ok')`)
    await waitFor('the valid binding\'s row', () => got.at(-1).length === 1)
    assert.equal(got.at(-1)[0].new.name, 'ok then')
    const errors = system.filter((m) => m.status === 'error').map((m) => m.message)
    assert.equal(errors.length, Object.keys(refused).length, errors.join('\n'))
    Object.values(refused).forEach((reason, i) => {
      assert.ok(errors[i].startsWith('Unable to subscribe to changes with given parameters. An exception happened so please '
        + `check your connect parameters: [event: *, schema: public, table: ${t}, filters: [{"name", `), errors[i])
      assert.ok(errors[i].endsWith(`]. Exception: ERROR P0001 (raise_exception) ${reason}`), errors[i])
    })
  })
})

test('a binding whose filter throws gets its system error; its channel\'s other binding and the victim are unharmed', async () => {
  const t = await table('(id bigserial primary key, addr inet not null)')
  const { got, system } = await listen(t, ['addr=eq.10.0.0.1', null])
  let inserted = 0
  await withVictim('filters_throwing', async (round) => {
    if (round === 0) {
      // Re-binding the filter to the new column type reads 10.0.0.1 as the domain, whose CHECK
      // refuses it: an exception in the router, which tore the tenant's stream down on every change.
      const domain = unique('private_inet')
      await sql(`create domain public.${domain} as inet check (value << '192.168.0.0/16')`)
      domains.push(domain)
      await sql(`alter table public.${t} alter column addr type public.${domain} using '192.168.1.1'`)
    }
    for (let i = 1; i <= 5; i++) await sql(`insert into public.${t} (addr) values ($1)`, [`192.168.1.${++inserted}`])
    await waitFor('every row on the unfiltered binding', () => got[1].length === inserted)
  })
  assert.equal(got[0].length, 0)
  const errors = system.filter((m) => m.status === 'error')
  assert.equal(errors.length, 1, JSON.stringify(errors))
  assert.equal(errors[0].extension, 'postgres_changes')
  assert.ok(errors[0].message.startsWith(`Unable to evaluate the filter of binding [event: *, schema: public, table: ${t}, `
    + 'filters: [{"addr", "eq", "10.0.0.1", false}], select: nil] (CatalogException: '), errors[0].message)
  assert.deepEqual(got[1].map((p) => p.new.addr), Array.from({ length: inserted }, (_, i) => `192.168.1.${i + 1}`))
})

test('error payloads of a table without primary key reach every binding whatever its filter, and hold no value', async () => {
  const t = await table('(id int4 not null, secret text not null)')
  await sql(`alter table public.${t} replica identity full`)
  const matching = await listen(t, ['secret=eq.swordfish'])
  const other = await listen(t, ['secret=neq.swordfish'])
  await withVictim('filters_error_payloads', async (round) => {
    await sql(`insert into public.${t} values ($1, 'swordfish'), ($2, 'tuna')`, [2 * round, 2 * round + 1])
    await waitFor('both error payloads on both channels',
      () => matching.got[0].length === 2 * (round + 1) && other.got[0].length === 2 * (round + 1))
  })
  for (const { got } of [matching, other]) {
    for (const payload of got[0]) {
      assert.deepEqual(payload.errors, ['Error 400: Bad Request, no primary key'])
      assert.deepEqual(payload.new, {})
      assert.ok(!JSON.stringify(payload).includes('swordfish') && !JSON.stringify(payload).includes('tuna'),
        JSON.stringify(payload))
    }
  }
})
