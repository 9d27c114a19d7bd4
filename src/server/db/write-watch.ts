/**
 * Tells in-process caches which tables a query is about to write. Installed on every database
 * opened by openDatabase, so that every write made through it (services, the CLI, tests) is seen,
 * whatever code path made it; a cache that depends on a table subscribes and drops what it holds.
 *
 * It sees queries before they run, so a cache is cleared before a write and can be refilled only
 * from a read that started after it (see auth/cache.ts for the generation check that guarantees
 * this). Statements written as raw SQL are recognised by their INSERT/UPDATE/DELETE/MERGE/TRUNCATE
 * target; when the target cannot be read, the table is reported as '*' (anything).
 */
import type {
  Kysely,
  KyselyPlugin,
  OperationNode,
  PluginTransformQueryArgs,
  PluginTransformResultArgs,
  QueryResult,
  RootOperationNode,
  UnknownRow,
} from 'kysely';

export type WriteListener = (table: string) => void;

export class WriteWatch implements KyselyPlugin {
  private readonly listeners = new Set<WriteListener>();
  /** Anything a caller wants to keep per database (e.g. the auth cache). */
  readonly attachments = new Map<string, unknown>();

  subscribe(listener: WriteListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  transformQuery(args: PluginTransformQueryArgs): RootOperationNode {
    if (this.listeners.size) {
      const tables = writtenTables(args.node);
      for (const table of tables) for (const listener of this.listeners) listener(table);
    }
    return args.node;
  }

  transformResult(args: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
    return Promise.resolve(args.result);
  }
}

/** The WriteWatch of a database (or of a transaction on it); null when it has none. */
export function writeWatchOf(db: Kysely<unknown>): WriteWatch | null {
  return (db.getExecutor().plugins.find((p) => p instanceof WriteWatch) as WriteWatch | undefined) ?? null;
}

type Node = OperationNode & Record<string, unknown>;

function tableName(node: unknown): string {
  const n = node as Node | undefined;
  if (!n) return '*';
  if (n.kind === 'AliasNode') return tableName(n.node);
  if (n.kind === 'TableNode') {
    const id = (n.table as { identifier: { name: string } }).identifier;
    return id.name;
  }
  return '*';
}

const RAW_WRITE =
  /\b(?:insert\s+into|update|delete\s+from|merge\s+into|truncate(?:\s+table)?)\s+(?:only\s+)?("?)([a-z_][a-z0-9_]*|\?)\1/gi;

/**
 * The SQL text of a raw node as it will be sent: nested raw nodes inline, table and identifier
 * nodes by name, anything else (values, references, queries) as '?'. Writes in nested query
 * nodes are collected into `out`.
 */
function rawText(n: Node, out: string[]): string {
  const fragments = n.sqlFragments as string[];
  const params = n.parameters as Node[];
  let text = fragments[0] ?? '';
  for (let i = 0; i < params.length; i++) {
    const p = params[i]!;
    if (p.kind === 'RawNode') text += rawText(p, out);
    else if (p.kind === 'TableNode') text += tableName(p);
    else if (p.kind === 'IdentifierNode') text += String(p.name);
    else {
      if (p.kind.endsWith('QueryNode')) out.push(...writtenTables(p));
      text += '?';
    }
    text += fragments[i + 1] ?? '';
  }
  return text;
}

/** Tables an operation writes (including data-modifying CTEs and raw SQL). */
export function writtenTables(node: RootOperationNode | OperationNode): string[] {
  const n = node as Node;
  const out: string[] = [];
  const withNode = n.with as { expressions: { expression: OperationNode }[] } | undefined;
  for (const cte of withNode?.expressions ?? []) out.push(...writtenTables(cte.expression));
  switch (n.kind) {
    case 'InsertQueryNode':
      out.push(tableName(n.into));
      break;
    case 'UpdateQueryNode':
      out.push(tableName(n.table));
      break;
    case 'DeleteQueryNode':
      for (const f of (n.from as { froms: OperationNode[] }).froms) out.push(tableName(f));
      break;
    case 'MergeQueryNode':
      out.push(tableName(n.into));
      break;
    case 'RawNode': {
      const text = rawText(n, out);
      for (const m of text.matchAll(RAW_WRITE)) out.push(m[2] === '?' ? '*' : m[2]!.toLowerCase());
      break;
    }
    default:
      break;
  }
  return out;
}
