// What n8n keeps on disk, as text to scan: every row of every table of its SQLite database, and
// every other file below its user folder (event log, binary data, config), the installed
// community package excepted.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { DatabaseSync } from 'node:sqlite';

export interface StoredText {
	place: string;
	text: string;
}

const SKIP_DIRS = new Set(['node_modules']);
const SQLITE = /\.sqlite(-wal|-shm|-journal)?$/;

/** Every row of every table, one text per table (rows as JSON lines). */
export function databaseRows(file: string): StoredText[] {
	if (!existsSync(file)) return [];
	const db = new DatabaseSync(file, { readOnly: true });
	try {
		const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[];
		return tables.map(({ name }) => {
			const rows = db.prepare(`SELECT * FROM "${name.replace(/"/g, '""')}"`).all();
			const text = rows
				.map((row) =>
					JSON.stringify(row, (_key, value: unknown) =>
						value instanceof Uint8Array ? Buffer.from(value).toString('latin1') : typeof value === 'bigint' ? String(value) : value,
					),
				)
				.join('\n');
			return { place: `database table ${name} (${rows.length} rows)`, text };
		});
	} finally {
		db.close();
	}
}

/** Every file below `root` except SQLite files and installed packages. */
export function filesBelow(root: string): StoredText[] {
	const out: StoredText[] = [];
	const walk = (dir: string) => {
		for (const entry of readdirSync(dir, { withFileTypes: true })) {
			const path = join(dir, entry.name);
			if (entry.isDirectory()) {
				if (!SKIP_DIRS.has(entry.name)) walk(path);
			} else if (entry.isFile() && !SQLITE.test(entry.name) && statSync(path).size < 50_000_000) {
				out.push({ place: `file ${relative(root, path)}`, text: readFileSync(path).toString('latin1') });
			}
		}
	};
	if (existsSync(root)) walk(root);
	return out;
}
