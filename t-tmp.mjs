import { readFileSync } from "node:fs";
import Database from "better-sqlite3";
const md = readFileSync("docs/sql.md", "utf8");
const qs = [...md.matchAll(/```sql\n([\s\S]*?)```/g)].map((m) => m[1]);
const db = new Database(process.argv[2], { readonly: true });
qs.forEach((q, i) => { const t = performance.now(); const rows = db.prepare(q).all(); console.log(i + 1, rows.length, (performance.now() - t).toFixed(0), "ms"); });
