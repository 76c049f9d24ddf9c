/**
 * The command's standard output and error, written without `process.stdout` / `process.stderr`
 * where those cannot be terminals. Creating either loads Node's stream modules (a file gets a
 * synchronous write stream, a pipe a socket): a sixth of what a `kubezod validate` of one small
 * file costs under Node 20. Writing to a file or pipe descriptor directly is what those streams do
 * for files and pipes on Linux and macOS anyway (synchronous writes, in order).
 */
const fs = process.getBuiltinModule("node:fs");

type Fd = 1 | 2;

const devices = new Map<Fd, boolean>();

/** Whether a descriptor is a character device (a terminal, /dev/null, …): those get the stream. */
function characterDevice(fd: Fd): boolean {
  let device = devices.get(fd);
  if (device === undefined) {
    try {
      device = fs.fstatSync(fd).isCharacterDevice();
    } catch {
      device = true; // closed or odd: let the stream decide
    }
    devices.set(fd, device);
  }
  return device;
}

/**
 * Whether standard output (1) or error (2) is a terminal. A descriptor that is not a character
 * device cannot be one, which is settled without creating the stream.
 *
 * @example
 * const color = isTerminal(1) && !process.env.NO_COLOR;
 */
export function isTerminal(fd: Fd): boolean {
  return characterDevice(fd) && Boolean((fd === 1 ? process.stdout : process.stderr).isTTY);
}

const pause = new Int32Array(new SharedArrayBuffer(4));

/**
 * Write text to standard output (1) or error (2), whole, before returning. A terminal or a
 * character device gets the process's stream; a file or pipe the descriptor itself (a full
 * non-blocking pipe is waited on; a reader that has gone away ends the writing quietly, as the
 * stream would have).
 *
 * @example
 * writeOutput(1, formatReport(report, "text"));
 */
export function writeOutput(fd: Fd, text: string): void {
  if (text === "") return;
  if (characterDevice(fd)) {
    (fd === 1 ? process.stdout : process.stderr).write(text);
    return;
  }
  const bytes = Buffer.from(text, "utf8");
  for (let offset = 0; offset < bytes.length; ) {
    try {
      offset += fs.writeSync(fd, bytes, offset, bytes.length - offset);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === "EAGAIN") Atomics.wait(pause, 0, 0, 5);
      else if (code === "EPIPE") return;
      else throw err;
    }
  }
}
