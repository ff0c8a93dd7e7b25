// Writes Brotli (.br) and gzip (.gz) copies beside the built web app's hashed assets, so the
// server sends them precompressed (@fastify/static `preCompressed`) without compressing on
// every request. Compressing once at build time allows the slowest, smallest settings.
import { readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';

const COMPRESSIBLE = /\.(?:js|mjs|css|svg|json|html|txt|map)$/;

// A response this small fits in one TCP packet either way, and the encoding headers cost more than they save.
const MIN_BYTES = 1024;

/**
 * Compresses every compressible file of `folder` (not its subfolders) whose copies are missing
 * or older than the file. A copy that would not be smaller than the file is not written, and
 * the server then sends the file itself. Returns the number of files compressed.
 *
 * @param {string} folder
 * @returns {number}
 */
export function compressAssets(folder) {
  let compressed = 0;
  for (const entry of readdirSync(folder, { withFileTypes: true })) {
    if (!entry.isFile() || !COMPRESSIBLE.test(entry.name)) continue;

    const file = path.join(folder, entry.name);
    const { size, mtimeMs } = statSync(file);
    if (size < MIN_BYTES || (isFresh(`${file}.br`, mtimeMs) && isFresh(`${file}.gz`, mtimeMs))) continue;

    const content = readFileSync(file);
    const brotli = brotliCompressSync(content, {
      params: { [constants.BROTLI_PARAM_MODE]: constants.BROTLI_MODE_TEXT, [constants.BROTLI_PARAM_QUALITY]: constants.BROTLI_MAX_QUALITY, [constants.BROTLI_PARAM_SIZE_HINT]: size },
    });
    const gzip = gzipSync(content, { level: constants.Z_BEST_COMPRESSION });
    if (brotli.length < size) writeFileSync(`${file}.br`, brotli);
    if (gzip.length < size) writeFileSync(`${file}.gz`, gzip);
    compressed += 1;
  }
  return compressed;
}

function isFresh(copy, sourceMtimeMs) {
  try {
    return statSync(copy).mtimeMs >= sourceMtimeMs;
  } catch {
    return false;
  }
}
