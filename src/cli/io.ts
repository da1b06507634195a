import { promptHidden, readAll } from './prompt.js';

/** Where a command writes, so tests read exactly what a user would see. */
export interface CliIO {
  stdout: (s: string) => void;
  stderr: (s: string) => void;
  env: Record<string, string | undefined>;
  /** True when stdout is a terminal (tables get colour unless NO_COLOR is set). */
  isTTY?: boolean;
  /** Reads all of standard input (for a secret piped in; absent: there is no stdin to read). */
  readStdin?: () => Promise<string>;
  /** Asks for a secret on the terminal without echoing it (null: cancelled); absent when stdin is not a terminal. */
  askSecret?: (question: string) => Promise<string | null>;
}

/** The process's own streams and environment. */
export function processIO(): CliIO {
  return {
    stdout: (s) => process.stdout.write(s),
    stderr: (s) => process.stderr.write(s),
    env: process.env,
    isTTY: process.stdout.isTTY === true,
    readStdin: () => readAll(process.stdin),
    askSecret: process.stdin.isTTY === true ? (question) => promptHidden(question) : undefined,
  };
}

/** A failure the user caused or can fix: printed as one line, exit code 1 (or 2 for usage). */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
  }
}

/** What each command file is registered with. */
export interface CommandHost {
  io: CliIO;
  /** Hands main the exit code of a command that keeps running (serve, up, listen). */
  finish: (code: Promise<number>) => void;
}
