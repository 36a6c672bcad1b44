import { crc32, inflateRawSync } from 'node:zlib';

/** One file of a zip archive. */
export interface ZipEntry {
  name: string;
  data: Buffer;
}

/**
 * Reads a zip archive (stored or deflated entries, as `serverless package` writes them) and checks
 * each entry's CRC, so neither the deployment test nor the benchmark needs an `unzip` binary.
 *
 * @example
 * import { readFile } from 'node:fs/promises';
 * const entries = readZip(await readFile('.serverless/poll.zip'));
 */
export function readZip(zip: Buffer): ZipEntry[] {
  const endOfDirectory = zip.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  if (endOfDirectory < 0) throw new Error('not a zip archive: no end-of-central-directory record');
  const entryCount = zip.readUInt16LE(endOfDirectory + 10);
  let header = zip.readUInt32LE(endOfDirectory + 16);
  const entries: ZipEntry[] = [];
  for (let i = 0; i < entryCount; i += 1) {
    const method = zip.readUInt16LE(header + 10);
    const expectedCrc = zip.readUInt32LE(header + 16);
    const compressedSize = zip.readUInt32LE(header + 20);
    const nameLength = zip.readUInt16LE(header + 28);
    const localHeader = zip.readUInt32LE(header + 42);
    const name = zip.toString('utf8', header + 46, header + 46 + nameLength);
    const dataStart = localHeader + 30 + zip.readUInt16LE(localHeader + 26) + zip.readUInt16LE(localHeader + 28);
    const stored = zip.subarray(dataStart, dataStart + compressedSize);
    if (method !== 0 && method !== 8) throw new Error(`${name}: unsupported compression method ${method}`);
    const data = method === 8 ? inflateRawSync(stored) : stored;
    if (crc32(data) >>> 0 !== expectedCrc) throw new Error(`${name}: CRC mismatch`);
    if (!name.endsWith('/')) entries.push({ name, data });
    header += 46 + nameLength + zip.readUInt16LE(header + 30) + zip.readUInt16LE(header + 32);
  }
  return entries;
}
