// The control case of the hostile-input suites: the victim on a server nobody attacks. Its worst
// latency is the baseline the other hostile-*.test.mjs cases are read against.
import { after, test } from 'node:test'
import { closeAll } from '../lib/realtime.mjs'
import { startVictim } from '../lib/victim.mjs'

after(closeAll)

test('an unattacked victim gets every row and broadcast, in order, within 1 s', async () => {
  const victim = await startVictim('baseline')
  try {
    victim.startProbing({ everyMs: 50 })
    await new Promise((resolve) => setTimeout(resolve, 3000)) // the probing window, not a wait for a condition
    const stats = await victim.stopProbing()
    console.log(victim.describe(stats))
    victim.assertUnharmed(stats, { boundMs: 1000 })
  } finally {
    await victim.close()
  }
})
