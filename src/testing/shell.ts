/**
 * The commands a simulated container answers to by itself, on its in-memory file system:
 * `sh -c` scripts (`;`, `&&`, `||`, `|`, `>`, `>>`, quotes, `$VAR`), `echo`, `printf`, `cat`, `ls`,
 * `mkdir`, `rm`, `touch`, `cp`, `mv`, `test`/`[`, `head`, `tail`, `wc`, `tar` (create and extract,
 * so `kubectl cp` works both ways), `env`, `hostname`, `pwd`, `whoami`, `id`, `uname`, `date`,
 * `sleep`, `true`, `false`, `exit`. Commands the test supplies take precedence by name.
 */
import { FileSystem } from "./pod-runtime.js";
import { readTar, writeTar, type TarEntry } from "./tar.js";

/** The outcome of a command. */
export interface ShellResult {
  stdout: Buffer;
  stderr: Buffer;
  exitCode: number;
}

/** A command the test supplies: gets its arguments and input, returns output and exit code. */
export type ShellCommand = (argv: string[], stdin: Buffer, context: ShellContext) => { stdout?: string | Uint8Array; stderr?: string | Uint8Array; exitCode?: number } | undefined;

/** Where commands run. */
export interface ShellContext {
  fs: FileSystem;
  env: Record<string, string>;
  hostname: string;
  /** Commands by name that come before the built-in ones. */
  commands?: Record<string, ShellCommand>;
}

const ok = (stdout: string | Buffer = "", stderr = "", exitCode = 0): ShellResult => ({ stdout: Buffer.isBuffer(stdout) ? stdout : Buffer.from(stdout), stderr: Buffer.from(stderr), exitCode });

/** Split a script into words and operators, honouring quotes and `$VAR`. */
function tokenize(script: string, env: Record<string, string>): string[] {
  const out: string[] = [];
  let cur = "";
  let has = false;
  const push = () => {
    if (has) out.push(cur);
    cur = "";
    has = false;
  };
  for (let i = 0; i < script.length; i++) {
    const c = script[i]!;
    if (c === "'") {
      const end = script.indexOf("'", i + 1);
      cur += script.slice(i + 1, end < 0 ? script.length : end);
      has = true;
      i = end < 0 ? script.length : end;
    } else if (c === '"') {
      let j = i + 1;
      while (j < script.length && script[j] !== '"') {
        if (script[j] === "\\" && j + 1 < script.length) {
          cur += script[j + 1];
          j += 2;
        } else if (script[j] === "$") {
          const m = /^\$(\w+|\{\w+\})/.exec(script.slice(j));
          if (m) {
            cur += env[m[1]!.replace(/[{}]/g, "")] ?? "";
            j += m[0].length;
          } else cur += script[j++];
        } else cur += script[j++];
      }
      has = true;
      i = j;
    } else if (c === "\\" && i + 1 < script.length) {
      cur += script[++i];
      has = true;
    } else if (c === "$") {
      const m = /^\$(\w+|\{\w+\}|\?)/.exec(script.slice(i));
      if (m) {
        cur += env[m[1]!.replace(/[{}]/g, "")] ?? "";
        has = true;
        i += m[0].length - 1;
      } else {
        cur += c;
        has = true;
      }
    } else if (/\s/.test(c)) push();
    else if (c === ";" || c === "|" || c === "&" || c === ">" || c === "<") {
      push();
      const two = script.slice(i, i + 2);
      if (two === "&&" || two === "||" || two === ">>") {
        out.push(two);
        i++;
      } else out.push(c);
    } else {
      cur += c;
      has = true;
    }
  }
  push();
  return out;
}

/** Run a shell script. */
export function runScript(script: string, ctx: ShellContext, stdin: Buffer = Buffer.alloc(0)): ShellResult {
  const tokens = tokenize(script, ctx.env);
  const stdout: Buffer[] = [];
  const stderr: Buffer[] = [];
  let status = 0;
  let i = 0;
  let skip = false;
  while (i < tokens.length) {
    // One pipeline up to ; && || .
    const pipeline: string[][] = [[]];
    while (i < tokens.length && tokens[i] !== ";" && tokens[i] !== "&&" && tokens[i] !== "||") {
      if (tokens[i] === "|") pipeline.push([]);
      else pipeline[pipeline.length - 1]!.push(tokens[i]!);
      i++;
    }
    const op = tokens[i++];
    if (!skip) {
      let input = stdin;
      for (const [n, words] of pipeline.entries()) {
        // Redirections.
        let redirect: { path: string; append: boolean } | undefined;
        let quiet = false;
        // `>&2` (stdout to stderr) and `2>&1` (stderr to stdout).
        let outToErr = false;
        let errToOut = false;
        const argv: string[] = [];
        for (let w = 0; w < words.length; w++) {
          if ((words[w] === ">" || words[w] === ">>") && words[w + 1] === "&" && (words[w + 2] === "1" || words[w + 2] === "2")) {
            const fd = argv[argv.length - 1] === "2" || argv[argv.length - 1] === "1" ? argv.pop()! : "1";
            if (fd === "1" && words[w + 2] === "2") outToErr = true;
            if (fd === "2" && words[w + 2] === "1") errToOut = true;
            w += 2;
          } else if ((words[w] === ">" || words[w] === ">>") && words[w + 1] !== undefined) {
            if (argv[argv.length - 1] === "2") {
              argv.pop();
              quiet = words[w + 1] === "/dev/null";
            } else redirect = { path: words[w + 1]!, append: words[w] === ">>" };
            w++;
          } else if (words[w] === "<" && words[w + 1] !== undefined) {
            input = ctx.fs.get(words[w + 1]!)?.data ?? Buffer.alloc(0);
            w++;
          } else argv.push(words[w]!);
        }
        if (argv[0] === "exit") return { stdout: Buffer.concat(stdout), stderr: Buffer.concat(stderr), exitCode: Number(argv[1] ?? status) || 0 };
        let r = argv.length ? runCommand(argv, ctx, input) : ok();
        if (outToErr) r = { ...r, stdout: Buffer.alloc(0), stderr: Buffer.concat([r.stderr, r.stdout]) };
        else if (errToOut) r = { ...r, stdout: Buffer.concat([r.stdout, r.stderr]), stderr: Buffer.alloc(0) };
        if (!quiet) stderr.push(r.stderr);
        status = r.exitCode;
        if (n < pipeline.length - 1) input = r.stdout;
        else if (redirect && redirect.path !== "/dev/null") {
          const existing = redirect.append ? (ctx.fs.get(redirect.path)?.data ?? Buffer.alloc(0)) : Buffer.alloc(0);
          ctx.fs.write(redirect.path, Buffer.concat([existing, r.stdout]));
        } else if (!redirect) stdout.push(r.stdout);
      }
    }
    skip = (op === "&&" && status !== 0) || (op === "||" && status === 0);
  }
  return { stdout: Buffer.concat(stdout), stderr: Buffer.concat(stderr), exitCode: status };
}

function mode(m: number, dir: boolean): string {
  const bits = "rwxrwxrwx".split("").map((ch, i) => (m & (1 << (8 - i)) ? ch : "-")).join("");
  return `${dir ? "d" : "-"}${bits}`;
}

/** Run one command (argv) in the container. */
export function runCommand(argv: string[], ctx: ShellContext, stdin: Buffer = Buffer.alloc(0)): ShellResult {
  const [cmd = "", ...args] = argv;
  const name = cmd.slice(cmd.lastIndexOf("/") + 1);
  const custom = ctx.commands?.[cmd] ?? ctx.commands?.[name];
  if (custom) {
    const r = custom(argv, stdin, ctx);
    if (r) return { stdout: Buffer.from(r.stdout ?? ""), stderr: Buffer.from(r.stderr ?? ""), exitCode: r.exitCode ?? 0 };
  }
  const fs = ctx.fs;
  switch (name) {
    case "sh":
    case "bash":
    case "ash":
      if (args[0] === "-c" && args[1] !== undefined) return runScript(args[1], ctx, stdin);
      return runScript(stdin.toString(), ctx);
    case "busybox":
      return runCommand(args, ctx, stdin);
    case "true":
      return ok();
    case "false":
      return ok("", "", 1);
    case "echo": {
      const noNewline = args[0] === "-n";
      return ok(`${(noNewline ? args.slice(1) : args).join(" ")}${noNewline ? "" : "\n"}`);
    }
    case "printf": {
      let i = 1;
      const text = (args[0] ?? "").replace(/%[sd]/g, () => args[i++] ?? "").replace(/\\n/g, "\n").replace(/\\t/g, "\t");
      return ok(text);
    }
    case "cat": {
      if (!args.length || (args.length === 1 && args[0] === "-")) return ok(stdin);
      const out: Buffer[] = [];
      for (const p of args) {
        const e = fs.get(p);
        if (!e) return ok(Buffer.concat(out), `cat: can't open '${p}': No such file or directory\n`, 1);
        if (e.type === "dir") return ok(Buffer.concat(out), `cat: read error: Is a directory\n`, 1);
        out.push(e.data);
      }
      return ok(Buffer.concat(out));
    }
    case "ls": {
      const flags = args.filter((a) => a.startsWith("-")).join("");
      const paths = args.filter((a) => !a.startsWith("-"));
      const long = flags.includes("l");
      const all = flags.includes("a");
      const lines: string[] = [];
      let status = 0;
      let err = "";
      const line = (name: string, path: string) => {
        const e = fs.get(path)!;
        return long ? `${mode(e.mode, e.type === "dir")}    1 root     root     ${String(e.data.length).padStart(8)} ${new Date(e.mtime).toUTCString().slice(4, 16)} ${name}` : name;
      };
      for (const p of paths.length ? paths : ["."]) {
        const abs = FileSystem.resolve(p);
        const e = fs.get(abs);
        if (!e) {
          err += `ls: ${p}: No such file or directory\n`;
          status = 1;
          continue;
        }
        if (paths.length > 1 && e.type === "dir") lines.push(`${p}:`);
        if (e.type === "file") lines.push(line(p, abs));
        else for (const child of fs.children(abs)) if (all || !child.startsWith(".")) lines.push(line(child, `${abs === "/" ? "" : abs}/${child}`));
      }
      return ok(lines.length ? `${lines.join("\n")}\n` : "", err, status);
    }
    case "mkdir": {
      const parents = args.includes("-p");
      for (const p of args.filter((a) => !a.startsWith("-"))) {
        if (fs.get(p) && !parents) return ok("", `mkdir: can't create directory '${p}': File exists\n`, 1);
        const parent = FileSystem.resolve(`${p}/..`);
        if (!parents && !fs.get(parent)) return ok("", `mkdir: can't create directory '${p}': No such file or directory\n`, 1);
        fs.mkdirp(p);
      }
      return ok();
    }
    case "rm": {
      const force = args.some((a) => a.startsWith("-") && a.includes("f"));
      const recursive = args.some((a) => a.startsWith("-") && /r/i.test(a));
      for (const p of args.filter((a) => !a.startsWith("-"))) {
        const e = fs.get(p);
        if (!e) {
          if (force) continue;
          return ok("", `rm: can't remove '${p}': No such file or directory\n`, 1);
        }
        if (e.type === "dir" && !recursive) return ok("", `rm: '${p}' is a directory\n`, 1);
        fs.remove(p);
      }
      return ok();
    }
    case "touch":
      for (const p of args.filter((a) => !a.startsWith("-"))) if (!fs.get(p)) fs.write(p, "");
      return ok();
    case "cp":
    case "mv": {
      const [src, dst] = args.filter((a) => !a.startsWith("-"));
      const e = src ? fs.get(src) : undefined;
      if (!src || !dst || !e) return ok("", `${name}: can't stat '${src ?? ""}': No such file or directory\n`, 1);
      const target = fs.get(dst)?.type === "dir" ? `${FileSystem.resolve(dst)}/${FileSystem.resolve(src).split("/").pop()}` : dst;
      fs.write(target, e.data, e.mode);
      if (name === "mv") fs.remove(src);
      return ok();
    }
    case "test":
    case "[": {
      const a = name === "[" ? args.slice(0, -1) : args;
      const check = (): boolean => {
        if (a.length === 2) {
          const e = fs.get(a[1]!);
          switch (a[0]) {
            case "-d":
              return e?.type === "dir";
            case "-f":
              return e?.type === "file";
            case "-e":
              return !!e;
            case "-s":
              return !!e && e.data.length > 0;
            case "-z":
              return a[1] === "";
            case "-n":
              return a[1] !== "";
          }
        }
        if (a.length === 3) return a[1] === "=" || a[1] === "==" ? a[0] === a[2] : a[1] === "!=" ? a[0] !== a[2] : false;
        return a.length === 1 && a[0] !== "";
      };
      return ok("", "", check() ? 0 : 1);
    }
    case "head":
    case "tail": {
      const n = Number(args[args.indexOf("-n") + 1] ?? 10);
      const bytesFrom = args.find((x) => /^-c\+?\d+$/.test(x));
      const files = args.filter((x, i) => !x.startsWith("-") && args[i - 1] !== "-n");
      const input = files.length ? (fs.get(files[0]!)?.data ?? Buffer.alloc(0)) : stdin;
      if (bytesFrom) {
        const m = /^-c(\+)?(\d+)$/.exec(bytesFrom)!;
        const count = Number(m[2]);
        return ok(m[1] ? input.subarray(Math.max(0, count - 1)) : name === "head" ? input.subarray(0, count) : input.subarray(Math.max(0, input.length - count)));
      }
      const lines = input.toString().split("\n");
      if (lines[lines.length - 1] === "") lines.pop();
      const picked = name === "head" ? lines.slice(0, n) : lines.slice(-n);
      return ok(picked.length ? `${picked.join("\n")}\n` : "");
    }
    case "wc": {
      const input = args.filter((a) => !a.startsWith("-")).length ? (fs.get(args.filter((a) => !a.startsWith("-"))[0]!)?.data ?? Buffer.alloc(0)) : stdin;
      const lines = input.toString().split("\n").length - 1;
      if (args.includes("-l")) return ok(`${lines}\n`);
      if (args.includes("-c")) return ok(`${input.length}\n`);
      return ok(`${lines} ${input.toString().split(/\s+/).filter(Boolean).length} ${input.length}\n`);
    }
    case "tar":
      return tar(args, ctx, stdin);
    case "env":
    case "printenv":
      if (name === "printenv" && args[0]) return ctx.env[args[0]] !== undefined ? ok(`${ctx.env[args[0]]}\n`) : ok("", "", 1);
      return ok(Object.entries(ctx.env).map(([k, v]) => `${k}=${v}\n`).join(""));
    case "hostname":
      return ok(`${ctx.hostname}\n`);
    case "pwd":
      return ok("/\n");
    case "whoami":
      return ok("root\n");
    case "id":
      return ok("uid=0(root) gid=0(root) groups=0(root)\n");
    case "uname":
      return ok(args.includes("-a") ? `Linux ${ctx.hostname} 6.1.0-kubezod #1 SMP x86_64 GNU/Linux\n` : "Linux\n");
    case "date":
      return ok(`${new Date().toUTCString().replace("GMT", "UTC")}\n`);
    case "sleep":
      return ok();
    default:
      return ok("", `sh: ${cmd}: not found\n`, 127);
  }
}

/** `tar c` and `tar x` with `f -`, `-C dir`, and the flags kubectl passes. */
function tar(args: string[], ctx: ShellContext, stdin: Buffer): ShellResult {
  const fs = ctx.fs;
  let mode = "";
  let dir = "/";
  let verbose = false;
  const names: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === "-C") dir = args[++i] ?? "/";
    else if (a.startsWith("--")) continue;
    else if (i === 0 || a.startsWith("-")) {
      const letters = a.replace(/^-/, "");
      if (letters.includes("c")) mode = "c";
      if (letters.includes("x")) mode = "x";
      if (letters.includes("t")) mode = "t";
      if (letters.includes("v")) verbose = true;
      // The archive name follows `f` (kubectl always uses `-`, standard input or output).
      if (letters.includes("f") && args[i + 1] === "-") i++;
    } else names.push(a);
  }
  if (mode === "x" || mode === "t") {
    let entries: TarEntry[];
    try {
      entries = readTar(stdin);
    } catch (e) {
      return ok("", `tar: ${(e as Error).message}\n`, 2);
    }
    if (mode === "t") return ok(entries.map((e) => `${e.name}\n`).join(""));
    if (!fs.get(dir)) return ok("", `tar: can't change directory to '${dir}': No such file or directory\n`, 2);
    const listed: string[] = [];
    for (const e of entries) {
      const target = FileSystem.resolve(e.name, FileSystem.resolve(dir));
      if (e.type === "dir") fs.mkdirp(target, e.mode || 0o755);
      else fs.write(target, e.type === "symlink" ? Buffer.from(e.linkname ?? "") : e.data, e.mode || 0o644);
      listed.push(e.name);
    }
    return ok(verbose ? listed.map((n) => `${n}\n`).join("") : "");
  }
  if (mode === "c") {
    const entries: TarEntry[] = [];
    let stderr = "";
    let status = 0;
    for (const n of names) {
      const base = FileSystem.resolve(n, FileSystem.resolve(dir));
      if (!fs.get(base)) {
        stderr += `tar: ${n}: Cannot stat: No such file or directory\n`;
        status = 2;
        continue;
      }
      if (n.startsWith("/")) stderr += "tar: Removing leading `/' from member names\n";
      for (const p of fs.walk(base)) {
        const e = fs.get(p)!;
        // Member names as given, without the leading slash.
        const rel = (n.replace(/\/+$/, "") + p.slice(base.length)).replace(/^\/+/, "");
        entries.push({ name: rel || ".", type: e.type, mode: e.mode, mtime: e.mtime, data: e.data });
      }
    }
    if (status) stderr += "tar: Exiting with failure status due to previous errors\n";
    return ok(writeTar(entries), stderr.includes("Removing") && !status ? "" : stderr, status);
  }
  return ok("", "tar: You must specify one of the '-Acdtrux', '--delete' or '--test-label' options\n", 2);
}
