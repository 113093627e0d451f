// For the strictness runs of scripts/matrix.mjs: a real loopback server stands for the network.
// `fetchUnhandled` requests it with no msw handler for it; the request must fail (msw's
// unhandled-request error) and never arrive: an arrival is written to $NIH_MATRIX_REACHED.
import { once } from 'node:events'
import { appendFileSync } from 'node:fs'
import { createServer } from 'node:http'

/** Fetches a URL no handler matches, served by a real loopback server that records arrivals. */
export async function fetchUnhandled(caseName: string): Promise<string> {
  const network = createServer((_req, res) => {
    appendFileSync(process.env.NIH_MATRIX_REACHED ?? 'reached.txt', `${caseName}\n`)
    res.end('reached the network')
  }).listen(0, '127.0.0.1')
  await once(network, 'listening')
  const { port } = network.address() as { port: number }
  try {
    return await (await fetch(`http://127.0.0.1:${port}/not-handled`)).text()
  } finally {
    network.close()
  }
}
