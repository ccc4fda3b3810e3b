import { appendFile, mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';

/** One command `pocketdock run` ran (`history --json` prints a list of these). */
export interface HistoryEntry {
  /** When it started, ISO 8601. */
  time: string;
  argv: string[];
  exitCode: number;
  durationMs: number;
  timedOut: boolean;
}

/** A history file beyond this is cut to its newer half on the next write. */
const MAX_BYTES = 1024 * 1024;

/** `$XDG_STATE_HOME/pocketdock/history` (default `~/.local/state/pocketdock/history`), one file per container id. */
export function historyDir(env: NodeJS.ProcessEnv = process.env): string {
  const base = env.XDG_STATE_HOME !== undefined && env.XDG_STATE_HOME.startsWith('/') ? env.XDG_STATE_HOME : join(env.HOME ?? homedir(), '.local/state');
  return join(base, 'pocketdock', 'history');
}

function fileOf(containerId: string, env?: NodeJS.ProcessEnv): string {
  // the id comes from the engine; a name that could leave the directory is never used
  if (!/^[0-9a-f]{12,64}$/.test(containerId)) throw new Error(`not a container id: ${containerId}`);
  return join(historyDir(env), `${containerId}.jsonl`);
}

/** Appends one entry (the directory 0700, the file 0600: argv may hold secrets). */
export async function recordHistory(containerId: string, entry: HistoryEntry, env?: NodeJS.ProcessEnv): Promise<void> {
  const file = fileOf(containerId, env);
  await mkdir(historyDir(env), { recursive: true, mode: 0o700 });
  const size = await stat(file).then((s) => s.size, () => 0);
  if (size > MAX_BYTES) {
    const lines = (await readFile(file, 'utf8')).split('\n').filter(Boolean);
    await writeFile(file, `${lines.slice(Math.floor(lines.length / 2)).join('\n')}\n`, { mode: 0o600 });
  }
  await appendFile(file, `${JSON.stringify(entry)}\n`, { mode: 0o600 });
}

/** The entries of a container, oldest first; none when it has no history. Lines that do not parse are skipped. */
export async function readHistory(containerId: string, env?: NodeJS.ProcessEnv): Promise<HistoryEntry[]> {
  const text = await readFile(fileOf(containerId, env), 'utf8').catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return '';
    throw err;
  });
  const entries: HistoryEntry[] = [];
  for (const line of text.split('\n')) {
    if (line === '') continue;
    try {
      entries.push(JSON.parse(line) as HistoryEntry);
    } catch {
      // a line cut by a crash mid-write
    }
  }
  return entries;
}

export async function clearHistory(containerId: string, env?: NodeJS.ProcessEnv): Promise<void> {
  await rm(fileOf(containerId, env), { force: true });
}
