// Checks vrn's HTTP gateway with independent clients:
//  1. @helia/verified-fetch, configured with the gateway as its ONLY trustless gateway (no delegated
//     routers, no libp2p), fetches files and directory paths and verifies every block it gets;
//  2. @ipld/car re-reads every CAR response: roots, CIDs in order, and each block's hash.
// Usage: node verified-fetch-check.mjs <gatewayBaseUrl> <spec.json>
//   spec = { fetches: [{ url: "ipfs://cid/path", sha256: "hex", size: n }],
//            cars: [{ path: "/ipfs/...?format=car", roots: ["cid"], blocks: ["cid", ...] }] }
import { readFile } from 'node:fs/promises'
import { createHash } from 'node:crypto'
import { createHeliaLight } from 'helia'
import { withHTTP } from '@helia/http'
import { createVerifiedFetchWithHelia } from '@helia/verified-fetch'
import { CarBlockIterator } from '@ipld/car'
import { sha256 } from 'multiformats/hashes/sha2'
import { identity } from 'multiformats/hashes/identity'

const [gateway, specFile] = process.argv.slice(2)
if (gateway == null || specFile == null) {
  console.error('usage: verified-fetch-check.mjs <gatewayBaseUrl> <spec.json>')
  process.exit(2)
}
const spec = JSON.parse(await readFile(specFile, 'utf8'))
const hex = (b) => createHash('sha256').update(b).digest('hex')
let failures = 0
const fail = (m) => { failures++; console.error('FAIL ' + m) }

// 1. verified-fetch through our gateway only.
const light = createHeliaLight({})
// helia's routing waits forever when no non-fallback router exists (its "all routers finished" count
// starts at 0 of 0); a router that knows no providers lets it fall through to our gateway at once.
light.addRouter({ name: 'no-providers', async * findProviders () {} })
const helia = await withHTTP(light, {
  delegatedRouters: [],
  recursiveGateways: [gateway],
  allowInsecure: true,
  allowLocal: true
}).start()
const vfetch = await createVerifiedFetchWithHelia(helia)
for (const f of spec.fetches) {
  try {
    const res = await vfetch(f.url, { signal: AbortSignal.timeout(60_000) })
    const body = new Uint8Array(await res.arrayBuffer())
    if (res.status !== 200) {
      fail(`${f.url}: status ${res.status}`)
    } else if (body.length !== f.size || hex(body) !== f.sha256) {
      fail(`${f.url}: got ${body.length} bytes sha256 ${hex(body)}, want ${f.size} bytes ${f.sha256}`)
    } else {
      console.log(`verified-fetch ok ${f.url} ${body.length} bytes`)
    }
  } catch (e) {
    fail(`${f.url}: ${e.stack ?? e}`)
  }
}
await vfetch.stop()
await helia.stop()

// 2. @ipld/car re-verifies CAR responses.
const hashers = { [sha256.code]: sha256, [identity.code]: identity }
for (const c of spec.cars) {
  try {
    const res = await fetch(gateway + c.path, { headers: { Accept: 'application/vnd.ipld.car' } })
    if (res.status !== 200) {
      fail(`${c.path}: status ${res.status}`)
      continue
    }
    const bytes = new Uint8Array(await res.arrayBuffer())
    const reader = await CarBlockIterator.fromBytes(bytes)
    const roots = (await reader.getRoots()).map(String)
    if (JSON.stringify(roots) !== JSON.stringify(c.roots)) {
      fail(`${c.path}: roots ${roots} want ${c.roots}`)
    }
    const got = []
    for await (const { cid, bytes: data } of reader) {
      const hasher = hashers[cid.multihash.code]
      if (hasher == null) {
        fail(`${c.path}: block ${cid} uses an unexpected hash`)
        continue
      }
      const digest = await hasher.digest(data)
      if (createHash('sha256').update(digest.bytes).digest('hex') !== createHash('sha256').update(cid.multihash.bytes).digest('hex')) {
        fail(`${c.path}: block ${cid} does not hash to its CID`)
      }
      got.push(cid.toString())
    }
    if (JSON.stringify(got) !== JSON.stringify(c.blocks)) {
      fail(`${c.path}: blocks ${got.length} [${got.slice(0, 3)}...] want ${c.blocks.length} [${c.blocks.slice(0, 3)}...]`)
    } else {
      console.log(`car ok ${c.path} ${got.length} blocks`)
    }
  } catch (e) {
    fail(`${c.path}: ${e.stack ?? e}`)
  }
}
if (failures > 0) {
  console.error(`${failures} check(s) failed`)
  process.exit(1)
}
console.log('all checks passed')
process.exit(0)
