// Cross-checks vrn's dag-cbor (and dag-json) bytes against @ipld/dag-cbor and @ipld/dag-json.
// Usage: node dagcbor-check.mjs FILE
//   FILE holds lines "<codec> <hex>" (codec = cbor | json) that vrn encoded. For each line this
//   prints "ok" when the JS codec decodes the bytes and re-encodes them identically, else
//   "diff <hex-of-js-bytes>" or "error <message>". Then it prints "sample <codec> <hex>" lines:
//   values encoded by the JS codecs, which vrn must decode and re-encode identically.
import { readFileSync } from 'node:fs'
import * as dagCbor from '@ipld/dag-cbor'
import * as dagJson from '@ipld/dag-json'
import { CID } from 'multiformats/cid'

const codecs = { cbor: dagCbor, json: dagJson }
const hex = (b) => Buffer.from(b).toString('hex')

for (const line of readFileSync(process.argv[2], 'utf8').split('\n')) {
  if (!line.trim()) continue
  const [name, h] = line.trim().split(' ')
  const codec = codecs[name]
  try {
    const bytes = Buffer.from(h ?? '', 'hex')
    const again = codec.encode(codec.decode(bytes))
    console.log(Buffer.compare(Buffer.from(again), bytes) === 0 ? 'ok' : `diff ${hex(again)}`)
  } catch (e) {
    console.log(`error ${String(e.message).replace(/\s+/g, ' ')}`)
  }
}

const cid = CID.parse('bafyreifb2ddwo2qylh7bunghwoq2cbn42eglavadjhgiwi5o2wfvtdp6qa')
const v0 = CID.parse('QmTTA2daxGqo5denp6SwLzzkLJm3fuisYEi9CoWsuHpzfb')
const samples = [
  { zebra: 1, a: [1, -1, 24, -25, 256, 65536, 4294967296], bb: { c: null, d: true, e: false } },
  { link: cid, v0, list: [cid, { nested: v0 }], bytes: new Uint8Array([0, 1, 2, 255]) },
  { big: 18446744073709551615n, neg: -18446744073709551616n, f: 1.5, g: -0.25, h: 1e300, s: 'héllo ☃ 😀' },
  ['', 'a', 'é', { '': 0, 'é': 1, z: 2, aa: 3 }, [[[]]], {}],
]
for (const v of samples) {
  console.log(`sample cbor ${hex(dagCbor.encode(v))}`)
  console.log(`sample json ${hex(dagJson.encode(v))}`)
}
