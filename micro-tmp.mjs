import Database from "better-sqlite3";
import { hash } from "node:crypto";
const d = new Database("/work/main/.tmp/bench-200000.db", { readonly: true });
const sessions = d.prepare("SELECT DISTINCT session FROM events ORDER BY session").all().map(r=>r.session);
const total = d.prepare("SELECT count(*) n FROM events").get().n;
const t = (name, f) => { const b = performance.now(); const x = f(); const ms = performance.now()-b; console.log(name.padEnd(40), (ms).toFixed(0)+"ms", (total/ms*1000/1000).toFixed(0)+"k/s"); return x; };
for (let r=0;r<2;r++){
const scan = d.prepare("SELECT seq, payload FROM events ORDER BY seq");
t("raw scan+parse", () => { let s=0; for (const row of scan.iterate()) s+= row.seq + (JSON.parse(row.payload)===null?1:0); return s; });
t("raw scan only", () => { let s=0; for (const row of scan.iterate()) s+= row.seq; return s; });
const all = d.prepare("SELECT * FROM events ORDER BY seq");
t("select * iterate", () => { let s=0; for (const row of all.iterate()) s+= row.seq; return s; });
t("select * all()", () => all.all().length);
const bySess = d.prepare("SELECT * FROM events INDEXED BY events_session_stream WHERE session = ? ORDER BY seq");
let rows;
t("select * by session all()", () => { rows = []; for (const s of sessions) for (const r of bySess.all(s)) rows.push(r); return rows.length; });
const bySessRaw = d.prepare("SELECT * FROM events INDEXED BY events_session_stream WHERE session = ? ORDER BY seq").raw(true);
t("select * by session raw all()", () => { let n=0; for (const s of sessions) n+= bySessRaw.all(s).length; return n; });
const seqs = d.prepare("SELECT min(seq) a, max(seq) b FROM events WHERE session = ?");
const range = d.prepare("SELECT * FROM events WHERE seq BETWEEN ? AND ?");
t("select * by seq range", () => { let n=0; for (const s of sessions) { const {a,b}=seqs.get(s); n+= range.all(a,b).length; } return n; });
t("rowHash", () => { let p="0".repeat(64); for (const row of rows) p = hash("sha256", `${p}\u0000${row.seq}\u0000${row.id}\u0000${row.stream}\u0000${row.session}\u0000${row.pos}\u0000${row.type}\u0000${row.version}\u0000${row.ts}\u0000${row.causation ?? ""}\u0000${row.correlation ?? ""}\u0000${row.payload}`, "hex"); return p; });
t("JSON.parse rows", () => { let n=0; for (const row of rows) n += JSON.parse(row.payload)===null?1:0; return n; });
const cnt = d.prepare("SELECT count(*) AS n FROM events NOT INDEXED WHERE seq BETWEEN ? AND ? AND +stream = ? AND +session = ?");
const vp = d.prepare("SELECT coalesce(max(pos) + 1, 0) AS n FROM events INDEXED BY sqlite_autoindex_events_2 WHERE stream = ? AND session = ?");
t("count checks", () => { let n=0; for (const s of sessions) { const {a,b}=seqs.get(s); n+=cnt.get(a,b,'live',s).n + vp.get('live', s).n; } return n; });
}
