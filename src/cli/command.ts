/** The contract every `mediconfusion <command>` module fulfils. */
export interface CliCommand {
  /** One line for the command list. */
  summary: string;
  /** Full help: usage, every option with its default, one example. */
  help: string;
  /** Returns the process exit code. */
  run(argv: string[]): Promise<number>;
}

/** An error whose message is meant for the user as is (no stack trace). */
export class UsageError extends Error {}
