// Reads a CAR that vrn wrote with @ipld/car and prints what it sees, for CarInteropIT.
// Usage: node car-check.mjs FILE
//   Prints "version <n>", "root <cid>" per root, then per block "block <cid> <byte length>
//   <sha256 hex of the bytes> <ok|mismatch|unchecked>" (ok: a sha2-256 CID whose digest matches
//   the bytes as multiformats computes it), then "end".
import { readFileSync } from 'node:fs'
import { createHash } from 'node:crypto'
import { CarReader } from '@ipld/car'
import { sha256 } from 'multiformats/hashes/sha2'

const reader = await CarReader.fromBytes(readFileSync(process.argv[2]))
console.log(`version ${reader.version}`)
for (const r of await reader.getRoots()) console.log(`root ${r}`)
for await (const { cid, bytes } of reader.blocks()) {
  let check = 'unchecked'
  if (cid.multihash.code === sha256.code) {
    const mh = await sha256.digest(bytes)
    check = Buffer.compare(Buffer.from(mh.bytes), Buffer.from(cid.multihash.bytes)) === 0 ? 'ok' : 'mismatch'
  }
  const h = createHash('sha256').update(bytes).digest('hex')
  console.log(`block ${cid} ${bytes.length} ${h} ${check}`)
}
console.log('end')
