// One JSON spelling per value: object keys sorted at every depth and undefined fields dropped (as JSON
// transport drops them), so a hash or a signature computed on one machine is recomputed on another.
// No imports: workflow code uses it too.
//
// Written as plain loops over sorted keys, without the intermediate arrays of entries: verifying a
// trail spells every entry once, and this was most of the chain check's time.

export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) {
    let out = '[';
    for (let i = 0; i < value.length; i++) {
      if (i > 0) out += ',';
      const v: unknown = value[i];
      // A hole in a sparse array is spelled as nothing between its commas, an undefined element as null.
      if (v !== undefined) out += canonicalJson(v);
      else if (i in value) out += 'null';
    }
    return out + ']';
  }
  const object = value as Record<string, unknown>;
  // The default sort compares UTF-16 code units, as `<` does on strings.
  const keys = Object.keys(object).sort();
  let out = '{';
  for (const key of keys) {
    const v = object[key];
    if (v === undefined) continue;
    if (out.length > 1) out += ',';
    out += JSON.stringify(key) + ':' + canonicalJson(v);
  }
  return out + '}';
}
