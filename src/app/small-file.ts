import { closeSync, constants, fstatSync, lstatSync, openSync, readSync } from 'node:fs';

/** What readSmallFile found: the text, or why the file was not read. */
export type SmallFile = { text: string } | { problem: string };

/**
 * Reads a small file of the data directory (bridge.json, url.txt, admin.token)
 * without trusting what is there: it must be a regular file (not a symlink, a FIFO,
 * a device or a directory: opening a FIFO would hang the command) of at most
 * `maxBytes` bytes. Resolves to null when there is no file; never throws.
 */
export function readSmallFile(path: string, maxBytes: number): SmallFile | null {
  try {
    const st = lstatSync(path);
    if (!st.isFile()) return { problem: 'it is not a regular file' };
    if (st.size > maxBytes) return { problem: `it is larger than ${maxBytes} bytes` };
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    return code === 'ENOENT' || code === 'ENOTDIR' ? null : { problem: `it cannot be read (${code})` };
  }
  let fd: number;
  try {
    // Non-blocking and not following links: the file may have been swapped since the lstat.
    fd = openSync(path, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0) | (constants.O_NOFOLLOW ?? 0));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    return code === 'ENOENT' ? null : { problem: `it cannot be read (${code})` };
  }
  try {
    if (!fstatSync(fd).isFile()) return { problem: 'it is not a regular file' };
    const buf = Buffer.alloc(maxBytes + 1);
    let n = 0;
    for (;;) {
      const got = readSync(fd, buf, n, buf.length - n, null);
      if (got === 0) break;
      n += got;
      if (n > maxBytes) return { problem: `it is larger than ${maxBytes} bytes` };
    }
    return { text: buf.subarray(0, n).toString('utf8') };
  } catch (e) {
    return { problem: `it cannot be read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})` };
  } finally {
    closeSync(fd);
  }
}
