// imgdiff.js ACTUAL.png REFERENCE.png [DIFF.png] - how far a screenshot is from its
// reference, as a person would see it: pixelmatch's perceptual colour distance (YIQ,
// with anti-aliased edges discounted) per pixel, then the share of pixels that differ.
// Prints "differing PIXELS of TOTAL (SHARE%)"; exit 0, or 2 when the sizes differ or a
// file cannot be read (the caller decides what share is too much).
'use strict';
const fs = require('fs');
const path = require('path');
const root = path.resolve(__dirname, '..', '..');
const { PNG } = require(path.join(root, 'node_modules', 'pngjs'));
const pixelmatch = require(path.join(root, 'node_modules', 'pixelmatch'));

function read(file) {
  try {
    return PNG.sync.read(fs.readFileSync(file));
  } catch (e) {
    console.error(`imgdiff: cannot read ${file}: ${e.message}`);
    process.exit(2);
  }
}

const [actualFile, referenceFile, diffFile] = process.argv.slice(2);
if (!actualFile || !referenceFile) {
  console.error('usage: node imgdiff.js ACTUAL.png REFERENCE.png [DIFF.png]');
  process.exit(2);
}
const a = read(actualFile), r = read(referenceFile);
if (a.width !== r.width || a.height !== r.height) {
  console.error(`imgdiff: ${actualFile} is ${a.width}x${a.height}, ` +
                `${referenceFile} is ${r.width}x${r.height}`);
  process.exit(2);
}
const diff = new PNG({ width: a.width, height: a.height });
// threshold 0.1: pixelmatch's default, the smallest YIQ distance counted as different.
const n = pixelmatch(a.data, r.data, diff.data, a.width, a.height, { threshold: 0.1 });
if (diffFile) fs.writeFileSync(diffFile, PNG.sync.write(diff));
const total = a.width * a.height;
console.log(`differing ${n} of ${total} (${(100 * n / total).toFixed(3)}%)`);
