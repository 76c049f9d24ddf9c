/**
 * Tar archives as `kubectl cp` exchanges them with a pod's `tar`: ustar headers, PAX extended
 * headers and GNU long names on reading; ustar with PAX records for long names on writing.
 */

/** One archive member. */
export interface TarEntry {
  name: string;
  type: "file" | "dir" | "symlink";
  mode: number;
  mtime: number;
  data: Buffer;
  linkname?: string;
}

function field(buf: Buffer, offset: number, length: number): string {
  const raw = buf.subarray(offset, offset + length);
  const end = raw.indexOf(0);
  return raw.subarray(0, end < 0 ? raw.length : end).toString("utf8");
}

function octal(buf: Buffer, offset: number, length: number): number {
  const text = field(buf, offset, length).trim();
  return text ? parseInt(text, 8) : 0;
}

function paxRecords(data: Buffer): Record<string, string> {
  const out: Record<string, string> = {};
  let pos = 0;
  while (pos < data.length) {
    const space = data.indexOf(0x20, pos);
    if (space < 0) break;
    const len = Number(data.subarray(pos, space).toString());
    if (!Number.isInteger(len) || len <= 0) break;
    const record = data.subarray(space + 1, pos + len - 1).toString("utf8");
    const eq = record.indexOf("=");
    if (eq > 0) out[record.slice(0, eq)] = record.slice(eq + 1);
    pos += len;
  }
  return out;
}

/** Read the members of a tar archive (throws on a malformed one). */
export function readTar(archive: Buffer): TarEntry[] {
  const out: TarEntry[] = [];
  let pos = 0;
  let pax: Record<string, string> = {};
  let longName: string | undefined;
  while (pos + 512 <= archive.length) {
    const header = archive.subarray(pos, pos + 512);
    if (header.every((b) => b === 0)) break;
    const size = octal(header, 124, 12);
    const type = String.fromCharCode(header[156]! || 48);
    const data = archive.subarray(pos + 512, pos + 512 + size);
    if (data.length < size) throw new Error("unexpected EOF");
    pos += 512 + Math.ceil(size / 512) * 512;
    if (type === "x") {
      pax = { ...pax, ...paxRecords(data) };
      continue;
    }
    if (type === "g") continue;
    if (type === "L") {
      longName = data.toString("utf8").replace(/\0+$/, "");
      continue;
    }
    const prefix = field(header, 345, 155);
    const name = pax.path ?? longName ?? (prefix ? `${prefix}/${field(header, 0, 100)}` : field(header, 0, 100));
    const entryType = type === "5" ? "dir" : type === "2" ? "symlink" : type === "0" || type === "7" ? "file" : undefined;
    if (entryType) {
      out.push({ name, type: entryType, mode: octal(header, 100, 8), mtime: octal(header, 136, 12) * 1000, data: Buffer.from(data), ...(entryType === "symlink" ? { linkname: pax.linkpath ?? field(header, 157, 100) } : {}) });
    }
    pax = {};
    longName = undefined;
  }
  return out;
}

function header(name: string, type: string, size: number, mode: number, mtime: number, linkname = ""): Buffer {
  const h = Buffer.alloc(512);
  const write = (text: string, offset: number, length: number) => h.write(text.slice(0, length), offset, length, "utf8");
  const oct = (n: number, offset: number, length: number) => write(`${n.toString(8).padStart(length - 1, "0")}\0`, offset, length);
  write(name, 0, 100);
  oct(mode & 0o7777, 100, 8);
  oct(0, 108, 8);
  oct(0, 116, 8);
  oct(size, 124, 12);
  oct(Math.floor(mtime / 1000), 136, 12);
  h.fill(0x20, 148, 156);
  write(type, 156, 1);
  write(linkname, 157, 100);
  write("ustar\0", 257, 6);
  write("00", 263, 2);
  write("root", 265, 32);
  write("root", 297, 32);
  let sum = 0;
  for (const b of h) sum += b;
  write(`${sum.toString(8).padStart(6, "0")}\0 `, 148, 8);
  return h;
}

function padded(data: Buffer): Buffer[] {
  const rest = data.length % 512;
  return rest ? [data, Buffer.alloc(512 - rest)] : [data];
}

/** Write members as a tar archive (long names get a PAX header). */
export function writeTar(entries: TarEntry[]): Buffer {
  const parts: Buffer[] = [];
  for (const e of entries) {
    const name = e.type === "dir" && !e.name.endsWith("/") ? `${e.name}/` : e.name;
    if (Buffer.byteLength(name) > 99) {
      const record = (key: string, value: string) => {
        const body = ` ${key}=${value}\n`;
        let len = Buffer.byteLength(body);
        len += String(len).length;
        if (String(len).length !== String(len - String(len).length).length) len++;
        return `${len}${body}`;
      };
      const pax = Buffer.from(record("path", name));
      parts.push(header("PaxHeaders/entry", "x", pax.length, 0o644, e.mtime), ...padded(pax));
    }
    const data = e.type === "file" ? e.data : Buffer.alloc(0);
    parts.push(header(name, e.type === "dir" ? "5" : e.type === "symlink" ? "2" : "0", data.length, e.mode, e.mtime, e.linkname ?? ""), ...padded(data));
  }
  parts.push(Buffer.alloc(1024));
  return Buffer.concat(parts);
}
