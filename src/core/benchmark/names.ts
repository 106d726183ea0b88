/** File-name rules shared by the benchmark importer and the image linker. */

/** The last path segment: "a/b/20001.jpg" -> "20001.jpg". */
export function baseNameOf(path: string): string {
  const parts = path.split(/[\\/]/);
  return parts[parts.length - 1] ?? path;
}
