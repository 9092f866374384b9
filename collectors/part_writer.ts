/** The collectors write parts with the dataset's one part writer (dataset/part_writer.ts). */
export { PartWriter, type PartWriterOptions } from "../dataset/part_writer.ts";
