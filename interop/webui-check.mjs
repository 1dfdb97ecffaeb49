// Drives headless Chromium (the Debian `chromium` package) against the node's status page:
//   node webui-check.mjs URL OUT_DIR
// writes OUT_DIR/dom.html (the DOM after the page's scripts ran) and OUT_DIR/shot.png (1280x900).
// Each run uses a new empty profile directory. Exits non-zero when Chromium fails.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, existsSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const [url, out] = process.argv.slice(2);
if (!url || !out) {
  console.error('usage: node webui-check.mjs URL OUT_DIR');
  process.exit(2);
}
const chromium = ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find(existsSync);
if (!chromium) {
  console.error('chromium is not installed (apt-get install chromium chromium-driver; scripts/test-all does it as root)');
  process.exit(3);
}
const base = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
  // let the page's fetches finish before the DOM is dumped or the screenshot taken
  '--virtual-time-budget=10000', '--hide-scrollbars'];

function run(extra) {
  const profile = mkdtempSync(join(tmpdir(), 'vrn-chromium-'));
  try {
    const r = spawnSync(chromium, [...base, `--user-data-dir=${profile}`, ...extra, url],
      { encoding: 'utf8', timeout: 90_000, maxBuffer: 64 << 20 });
    if (r.status !== 0) {
      console.error(`chromium ${extra[0]} failed (${r.status ?? r.signal}): ${(r.stderr || '').slice(-2000)}`);
      process.exit(1);
    }
    return r.stdout;
  } finally {
    rmSync(profile, { recursive: true, force: true });
  }
}

writeFileSync(join(out, 'dom.html'), run(['--dump-dom']));
run([`--screenshot=${join(out, 'shot.png')}`, '--window-size=1280,900']);
console.log('ok');
