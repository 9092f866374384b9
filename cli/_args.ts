/**
 * The tasks' argument parsing and error exit, shared with the collectors (which sit below
 * cli/ and so own it).
 */
export { parse, run } from "../collectors/args.ts";
