/**
 * Reading CSV in the tests, to check `journal sql --format csv` round-trips.
 */

/**
 * An RFC 4180 reader, written from the RFC rather than taken from the code under test: fields
 * split by commas, records by LF or CRLF; a quoted field may hold commas, CR, LF and `""` for a
 * quote. An unquoted empty field reads as null, a quoted one as "" (the convention csvField writes).
 */
export function parseCsv(text: string): (string | null)[][] {
  const records: (string | null)[][] = [];
  let record: (string | null)[] = [];
  let i = 0;
  const endRecord = () => {
    records.push(record);
    record = [];
  };
  while (i < text.length) {
    let field: string | null;
    if (text[i] === '"') {
      field = "";
      i += 1;
      for (;;) {
        if (i >= text.length) throw new Error("unterminated quoted field");
        if (text[i] === '"') {
          if (text[i + 1] === '"') {
            field += '"';
            i += 2;
            continue;
          }
          i += 1;
          break;
        }
        field += text[i];
        i += 1;
      }
    } else {
      let end = i;
      while (end < text.length && !",\r\n".includes(text[end]!)) end += 1;
      const raw = text.slice(i, end);
      if (raw.includes('"')) throw new Error(`a quote inside an unquoted field: ${raw}`);
      field = raw === "" ? null : raw;
      i = end;
    }
    record.push(field);
    if (text[i] === ",") i += 1;
    else if (text[i] === "\n") {
      i += 1;
      endRecord();
    } else if (text[i] === "\r" && text[i + 1] === "\n") {
      i += 2;
      endRecord();
    } else if (i < text.length) throw new Error(`unexpected ${JSON.stringify(text[i])} at ${i}`);
  }
  if (record.length > 0) endRecord();
  return records;
}
