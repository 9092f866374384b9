/** The collectors' clock is the dataset's (dataset/clock.ts): one clock shape everywhere. */
export * from "../dataset/clock.ts";
