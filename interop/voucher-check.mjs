// Checks vouchers and addresses that vrn made against independent implementations:
// @zondax/filecoin-signing-tools (Rust/wasm) verifies voucher signatures, @glif/filecoin-address
// parses addresses.
// Usage: node voucher-check.mjs FILE
//   FILE holds lines "voucher <standard-base64-cbor> <signer-address>" and
//   "address <address-string> <hex-of-binary-form>". For each line this prints "ok" when the JS
//   side agrees (signature verifies to the signer; address parses to those bytes and prints back
//   the same string), else "fail <reason>".
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { newFromString, encode } from '@glif/filecoin-address'

// The package's "exports" omit its Node build, so require it by path.
const require = createRequire(import.meta.url)
const signer = require('./node_modules/@zondax/filecoin-signing-tools/nodejs/filecoin_signer_wasm.js')

const oneLine = (e) => String(e?.message ?? e).replace(/\s+/g, ' ')

for (const line of readFileSync(process.argv[2], 'utf8').split('\n')) {
  if (!line.trim()) continue
  const [kind, a, b] = line.trim().split(' ')
  try {
    if (kind === 'voucher') {
      const ok = signer.verifyVoucherSignature(a, b)
      console.log(ok ? 'ok' : 'fail verifyVoucherSignature returned false')
    } else if (kind === 'address') {
      const addr = newFromString(a)
      const hex = Buffer.from(addr.bytes).toString('hex')
      const again = encode(a[0], addr)
      if (hex !== b) console.log(`fail bytes ${hex}`)
      else if (again !== a) console.log(`fail string ${again}`)
      else console.log('ok')
    } else {
      console.log(`fail unknown line kind ${kind}`)
    }
  } catch (e) {
    console.log(`fail ${oneLine(e)}`)
  }
}
