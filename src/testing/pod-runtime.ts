/**
 * What runs "inside" the simulated pods: how each pod behaves (scripted by the test), its
 * containers' logs (current and previous instance, with followers) and a small in-memory file
 * system per container that `exec` commands (`ls`, `cat`, `tar`, so `kubectl cp`) work on.
 */

/**
 * How a pod behaves once the kubelet runs it. Every field is optional; the default pod starts at
 * once, becomes Ready and keeps running — except a Job's pods, which exit 0 straight away.
 *
 * @example
 * const failing: PodBehavior = { exitCode: 1, logs: "boom\n" };
 * const slow: PodBehavior = { startMs: 500, ready: false };
 */
export interface PodBehavior {
  /** Whether the containers pass their readiness checks (default true). */
  ready?: boolean;
  /**
   * The exit code of the containers. Pods that do not restart end Succeeded (0) or Failed (other);
   * pods with `restartPolicy: Always` that exit go into CrashLoopBackOff. Default: a Job's pods
   * exit 0, other pods keep running.
   */
  exitCode?: number;
  /** Milliseconds before the containers start (default 0). */
  startMs?: number;
  /** Milliseconds a container that exits runs first (default 0). */
  runMs?: number;
  /** The containers never start and wait with this reason (`ErrImagePull`, `ImagePullBackOff`, `CreateContainerConfigError`). */
  waiting?: { reason: string; message?: string };
  /** How many times the containers have restarted (default 0). */
  restartCount?: number;
  /** Log text of the containers: one text for all, or by container name. */
  logs?: string | Record<string, string>;
  /** Log text of the previous instance (`kubectl logs --previous`), when restartCount > 0. */
  previousLogs?: string | Record<string, string>;
  /** Files in the containers' file systems (path → content), for `exec` and `kubectl cp`. */
  files?: Record<string, string>;
}

/**
 * Decides how a pod behaves from the pod itself (its labels, image, name); undefined for the default.
 *
 * @example
 * const script: PodScript = (pod) => (pod.metadata.labels?.app === "flaky" ? { ready: false } : undefined);
 */
export type PodScript = (pod: { metadata: { name: string; namespace: string; labels?: Record<string, string>; annotations?: Record<string, string> }; spec: Record<string, unknown> }) => PodBehavior | undefined | void;

/** One line of a container's log. */
export interface LogLine {
  time: string;
  text: string;
}

/** Logs of pods' containers (current and previous instance), with followers of the current one. */
export class PodLogs {
  private readonly logs = new Map<string, LogLine[]>();
  private readonly previous = new Map<string, LogLine[]>();
  private readonly followers = new Map<string, Set<(line: LogLine) => void>>();
  private readonly closers = new Map<string, Set<() => void>>();

  private key(namespace: string, pod: string, container: string): string {
    return `${namespace}/${pod}/${container}`;
  }

  private split(text: string): LogLine[] {
    const parts = text.split("\n");
    if (parts[parts.length - 1] === "") parts.pop();
    const time = `${new Date().toISOString().slice(0, 23)}000000Z`;
    return parts.map((p) => ({ time, text: p }));
  }

  /** Append text (split into lines) to a container's log. */
  append(namespace: string, pod: string, container: string, text: string): void {
    const key = this.key(namespace, pod, container);
    const lines = this.logs.get(key) ?? [];
    for (const line of this.split(text)) {
      lines.push(line);
      for (const f of this.followers.get(key) ?? []) f(line);
    }
    this.logs.set(key, lines);
  }

  /** Replace a container's log. */
  set(namespace: string, pod: string, container: string, text: string): void {
    this.logs.set(this.key(namespace, pod, container), []);
    this.append(namespace, pod, container, text);
  }

  /** Replace the log of a container's previous instance. */
  setPrevious(namespace: string, pod: string, container: string, text: string): void {
    this.previous.set(this.key(namespace, pod, container), this.split(text));
  }

  /** The current instance's log is over (the container exited): followers end. */
  end(namespace: string, pod: string, container: string): void {
    const key = this.key(namespace, pod, container);
    for (const close of [...(this.closers.get(key) ?? [])]) close();
  }

  lines(namespace: string, pod: string, container: string, previous = false): LogLine[] | undefined {
    return (previous ? this.previous : this.logs).get(this.key(namespace, pod, container));
  }

  follow(namespace: string, pod: string, container: string, fn: (line: LogLine) => void, onEnd: () => void): () => void {
    const key = this.key(namespace, pod, container);
    const set = this.followers.get(key) ?? new Set();
    set.add(fn);
    this.followers.set(key, set);
    const closers = this.closers.get(key) ?? new Set();
    closers.add(onEnd);
    this.closers.set(key, closers);
    return () => {
      set.delete(fn);
      closers.delete(onEnd);
    };
  }

  /** Forget a pod's logs (it is gone). */
  forget(namespace: string, pod: string): void {
    const prefix = `${namespace}/${pod}/`;
    for (const map of [this.logs, this.previous]) for (const key of [...map.keys()]) if (key.startsWith(prefix)) map.delete(key);
  }
}

/** A file or directory in a container's file system. */
export interface FileEntry {
  type: "file" | "dir";
  data: Buffer;
  mode: number;
  mtime: number;
}

/** One container's file system: absolute normalized paths to entries. */
export class FileSystem {
  readonly entries = new Map<string, FileEntry>();

  constructor() {
    for (const dir of ["/", "/tmp", "/etc", "/root", "/var", "/bin", "/usr"]) this.entries.set(dir, { type: "dir", data: Buffer.alloc(0), mode: 0o755, mtime: Date.now() });
    this.write("/etc/hostname", "kubezod\n");
  }

  /** The normalized absolute form of a path, relative to `cwd`. */
  static resolve(path: string, cwd = "/"): string {
    const parts: string[] = [];
    for (const seg of (path.startsWith("/") ? path : `${cwd}/${path}`).split("/")) {
      if (!seg || seg === ".") continue;
      if (seg === "..") parts.pop();
      else parts.push(seg);
    }
    return `/${parts.join("/")}`;
  }

  get(path: string): FileEntry | undefined {
    return this.entries.get(FileSystem.resolve(path));
  }

  mkdirp(path: string, mode = 0o755): void {
    const abs = FileSystem.resolve(path);
    let cur = "";
    for (const seg of abs.split("/").filter(Boolean)) {
      cur += `/${seg}`;
      const e = this.entries.get(cur);
      if (!e) this.entries.set(cur, { type: "dir", data: Buffer.alloc(0), mode, mtime: Date.now() });
    }
  }

  write(path: string, data: string | Buffer, mode = 0o644): void {
    const abs = FileSystem.resolve(path);
    const parent = abs.slice(0, abs.lastIndexOf("/")) || "/";
    this.mkdirp(parent);
    this.entries.set(abs, { type: "file", data: Buffer.isBuffer(data) ? data : Buffer.from(data), mode, mtime: Date.now() });
  }

  /** Entries directly inside a directory, by name. */
  children(path: string): string[] {
    const abs = FileSystem.resolve(path);
    const prefix = abs === "/" ? "/" : `${abs}/`;
    const out: string[] = [];
    for (const key of this.entries.keys()) {
      if (key !== abs && key.startsWith(prefix) && !key.slice(prefix.length).includes("/")) out.push(key.slice(prefix.length));
    }
    return out.sort();
  }

  /** A path and everything below it, parents first. */
  walk(path: string): string[] {
    const abs = FileSystem.resolve(path);
    const prefix = abs === "/" ? "/" : `${abs}/`;
    return [...this.entries.keys()].filter((k) => k === abs || k.startsWith(prefix)).sort();
  }

  remove(path: string): void {
    for (const p of this.walk(path)) this.entries.delete(p);
  }
}

/** The pods' side of the simulated cluster: behaviours, logs and file systems. */
export class PodRuntime {
  readonly logs = new PodLogs();
  private readonly overrides = new Map<string, PodBehavior>();
  private readonly files = new Map<string, FileSystem>();
  /** Called when a pod's behaviour changes, so the kubelet acts on it. */
  onChange: ((namespace: string, pod: string) => void) | undefined;

  constructor(private readonly script: PodScript | undefined) {}

  /** The behaviour of a pod: what the test set for it, else the script's answer, else the default. */
  behaviorOf(pod: { metadata: Record<string, unknown>; spec?: unknown }): PodBehavior {
    const key = `${String(pod.metadata.namespace ?? "")}/${String(pod.metadata.name)}`;
    const override = this.overrides.get(key);
    if (override) return override;
    return (this.script?.(pod as Parameters<PodScript>[0]) as PodBehavior | undefined) ?? {};
  }

  /** Set how a pod behaves from now on (merged over what it had). */
  setBehavior(namespace: string, pod: string, behavior: PodBehavior, current: PodBehavior): void {
    this.overrides.set(`${namespace}/${pod}`, { ...current, ...behavior });
    this.onChange?.(namespace, pod);
  }

  /** A container's file system (created on first use, with the behaviour's files). */
  fileSystem(namespace: string, pod: string, container: string, behavior?: PodBehavior): FileSystem {
    const key = `${namespace}/${pod}/${container}`;
    let fs = this.files.get(key);
    if (!fs) {
      fs = new FileSystem();
      for (const [path, content] of Object.entries(behavior?.files ?? {})) fs.write(path, content);
      this.files.set(key, fs);
    }
    return fs;
  }

  /** Forget a pod that is gone. */
  forget(namespace: string, pod: string): void {
    this.overrides.delete(`${namespace}/${pod}`);
    this.logs.forget(namespace, pod);
    const prefix = `${namespace}/${pod}/`;
    for (const key of [...this.files.keys()]) if (key.startsWith(prefix)) this.files.delete(key);
  }
}
