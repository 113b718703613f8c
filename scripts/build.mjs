#!/usr/bin/env node
// The compiled build: esbuild bundles the TypeScript of the CLI/worker (client/cli.ts) and the gate
// (server/main.ts) into dist/ as ES modules, so `reyestr …` and `npm start` run plain JavaScript instead of
// compiling TypeScript at every start (tsx stays for development, tests and scripts).
//
// - Both builds bundle the GraphQL stack (graphql and every package built on it, zod, OpenTelemetry's API): pure
//   JavaScript spread over ~900 files, and resolving and reading that many files was most of the gate's start
//   (bundled, they are a few chunks), all together so each build has one copy of graphql (two copies refuse each
//   other's schemas). The CLI/worker build (a build of its own: a CLI process never loads the gate's chunks, nor
//   `serve` the CLI's GraphQL client) also bundles the small pure-JavaScript packages its commands load at start
//   (CLI_BUNDLED): the tests spawn a CLI command or a worker again and again. Other npm packages
//   stay external (loaded from node_modules as usual).
// - `splitting`: a command's `await import()` becomes its own chunk, so `reyestr --help` loads neither the
//   gate nor the registry library.
// - dist/build-info.json lists every source file that went in; `buildIsCurrent()` compares their mtimes with
//   the build's start, and bin/reyestr.mjs rebuilds (or falls back to tsx) when a source changed since.
// - Every file is written to a temporary name and renamed, chunk names carry a content hash and old chunks
//   are kept a while, so a process starting (or a running gate lazily loading a chunk) during a rebuild
//   never reads half a file or misses one.
//
// Runs on `npm install` (postinstall, after generate) and as `npm run build`; vitest's globalSetup calls it.
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  statSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = dirname(dirname(fileURLToPath(import.meta.url)));
export const DIST = join(ROOT, 'dist');
const INFO = join(DIST, 'build-info.json');
/** Entry points: dist/<name>.js ← source. */
export const ENTRIES = { cli: 'client/cli.ts', gate: 'server/main.ts' };
/** Chunks no longer part of the build are removed once they are this old (a running process may still need them). */
const OLD_CHUNK_MS = 24 * 3600_000;

/** True when dist/ holds a build of the current sources (every input unchanged since the build started). */
export function buildIsCurrent() {
  let info;
  try {
    info = JSON.parse(readFileSync(INFO, 'utf8'));
  } catch {
    return false;
  }
  if (info.version !== 1 || JSON.stringify(info.entries) !== JSON.stringify(ENTRIES)) return false;
  for (const input of info.inputs) {
    try {
      if (statSync(join(ROOT, input)).mtimeMs > info.startedAt) return false;
    } catch {
      return false; // a source was removed or renamed
    }
  }
  return true;
}

/** Bundles ENTRIES into dist/. Returns the build's duration in ms. */
export async function build() {
  const { build: esbuild } = await import('esbuild');
  const startedAt = Date.now();
  const common = {
    absWorkingDir: ROOT,
    outdir: DIST,
    entryNames: '[name]',
    chunkNames: 'chunks/[name]-[hash]',
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    sourcemap: 'linked',
    // ASCII output: V8 keeps a module's source in memory for the life of the process, and one non-ASCII
    // character makes all of it a two-byte string (6 MB instead of 3 MB for the gate). esbuild escapes strings and
    // identifiers; asciiOnly() below does regular expression literals and comments.
    charset: 'ascii',
    write: false,
    metafile: true,
    logLevel: 'warning',
  };
  // Two builds: the gate bundles its GraphQL stack (BUNDLED), the CLI/worker that and CLI_BUNDLED.
  const bundling = (packages) => ({
    plugins: [graphqlAsEsm, externalExcept(packages)],
    // CommonJS code inside the bundle calls require() (for node: modules); an ES module has none of its own.
    banner: {
      js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);",
    },
  });
  const results = await Promise.all([
    esbuild({ ...common, entryPoints: { cli: ENTRIES.cli }, ...bundling([...BUNDLED, ...CLI_BUNDLED]) }),
    esbuild({ ...common, entryPoints: { gate: ENTRIES.gate }, ...bundling([...BUNDLED, ...GATE_BUNDLED]) }),
  ]);
  const result = {
    outputFiles: results.flatMap((r) => r.outputFiles),
    metafile: { inputs: Object.assign({}, ...results.map((r) => r.metafile.inputs)) },
  };
  mkdirSync(join(DIST, 'chunks'), { recursive: true });
  const isEntry = (path) => Object.keys(ENTRIES).some((name) => path === join(DIST, `${name}.js`));
  // chunks (and maps) first, entry points after them, build-info last: a reader never sees a newer entry
  // pointing at a chunk that is not written yet, nor build-info claiming a build that is not complete.
  const files = [...result.outputFiles].sort((a, b) => Number(isEntry(a.path)) - Number(isEntry(b.path)));
  for (const file of files) writeAtomically(file.path, file.path.endsWith('.js') ? asciiOnly(file) : file.contents);
  const inputs = Object.keys(result.metafile.inputs).filter((path) => !path.includes('node_modules'));
  writeAtomically(INFO, JSON.stringify({ version: 1, entries: ENTRIES, startedAt, inputs }, null, 1));
  removeOldChunks(new Set(files.map((file) => file.path)));
  return Date.now() - startedAt;
}

/** Packages bundled into dist/ (by name or prefix); every other package is loaded from node_modules. */
const BUNDLED = [
  'graphql',
  'graphql-yoga',
  '@graphql-yoga/',
  '@graphql-tools/',
  '@graphql-typed-document-node/',
  '@envelop/',
  '@whatwg-node/',
  'graphql-scalars',
  'graphql-ws',
  'graphql-request',
  '@pothos/',
  '@escape.tech/',
  'zod',
  '@opentelemetry/api',
];

/**
 * Also bundled into the CLI/worker build: what a worker or a CLI command loads when it starts. Measured 2026-12-03
 * at load 16–24 (user+sys, 4 runs each): a worker's first 4 s 0.65 s with every package external, 0.52 s with the
 * GraphQL stack bundled, 0.32 s with these too; `reyestr tasks list` 0.42 / 0.29 / 0.25 s.
 */
const CLI_BUNDLED = [
  'commander',
  'p-queue',
  'p-retry',
  'tough-cookie',
  'cheerio',
  'htmlparser2',
  'domhandler',
  'entities',
  'encoding-sniffer',
  'cli-progress',
];

/**
 * Also bundled into the gate's build: small pure-JavaScript packages every gate loads at start (metrics, rate limits,
 * schedules, uploads). Every gate process a test or a restart starts used to open ~150 of their files.
 */
const GATE_BUNDLED = [
  'prom-client',
  'tdigest',
  'bintrees',
  'rate-limiter-flexible',
  'cron-parser',
  'luxon',
  'busboy',
  'dotenv',
  'p-queue',
  'p-retry',
  'retry',
];

const packageName = (specifier) =>
  specifier
    .split('/')
    .slice(0, specifier.startsWith('@') ? 2 : 1)
    .join('/');
/** Is the package `specifier` names in `packages` (names, or prefixes ending in '/')? */
const listed = (packages, specifier) => {
  const name = packageName(specifier);
  return packages.some((b) => (b.endsWith('/') ? name.startsWith(b) : name === b));
};

/** Never bundled, even when a bundled package imports them (native add-ons, worker files, WASM beside them). */
const NEVER_BUNDLED = ['ws', 'pino', 'pg', '@electric-sql/pglite', '@prisma/client', 'bufferutil', 'utf-8-validate'];

/** Is `importer` (a file path) inside one of `packages`? Its own imports are bundled with it: the versions it
 * resolves (perhaps nested under it) are what it was published against. */
const inside = (packages, importer) => {
  const at = importer.lastIndexOf('node_modules/');
  return at !== -1 && listed(packages, importer.slice(at + 'node_modules/'.length));
};

/** Every package external except `packages` (and what they import), which are bundled. */
const externalExcept = (packages) => ({
  name: 'external-except-bundled',
  setup(build) {
    build.onResolve({ filter: /^[^./]/ }, (args) => {
      const name = packageName(args.path);
      const external =
        args.path.startsWith('node:') ||
        NEVER_BUNDLED.includes(name) ||
        !(listed(packages, args.path) || inside(packages, args.importer));
      return external ? { path: args.path, external: true } : undefined; // undefined: esbuild resolves and bundles it
    });
  },
});

/**
 * graphql's ES module build (its `.mjs` files) for every import of it, `graphql/…` subpaths and require() calls
 * included: by default esbuild takes the package's `main` (CommonJS), and every `graphql.X` an ES module in the
 * bundle (the executor, Yoga, our code) read then went through an interop getter — 3 % of the gate's CPU per GraphQL
 * request. One build for every importer keeps one graphql instance (two refuse each other's schemas).
 */
const graphqlAsEsm = {
  name: 'graphql-as-esm',
  setup(build) {
    build.onResolve({ filter: /^graphql(\/|$)/ }, (args) => {
      const sub = args.path.slice('graphql'.length).replace(/\.m?js$/, '');
      const dir = join(dirname(createRequire(args.importer || join(ROOT, 'package.json')).resolve('graphql')), sub);
      for (const file of [`${dir}.mjs`, join(dir, 'index.mjs')]) if (existsSync(file)) return { path: file };
      return undefined;
    });
    for (const edit of GRAPHQL_EDITS)
      build.onLoad({ filter: edit.file }, (args) => {
        let source = readFileSync(args.path, 'utf8');
        for (const [find, replace] of edit.changes) {
          if (source.split(find).length !== 2) throw new Error(`${args.path}: not one \`${find}\` to edit`);
          source = source.replace(find, () => replace);
        }
        return { contents: source, loader: 'js' };
      });
  },
};

/** The classes of graphql's type predicates (graphql/type/definition.mjs). */
const GRAPHQL_TYPE_CLASSES = [
  'GraphQLScalarType',
  'GraphQLObjectType',
  'GraphQLInterfaceType',
  'GraphQLUnionType',
  'GraphQLEnumType',
  'GraphQLInputObjectType',
  'GraphQLList',
  'GraphQLNonNull',
];

/**
 * Edits of graphql's own source in the bundle, each keeping what graphql answers: per file, texts to find (each
 * exactly once) and what replaces them. A build fails when a text is gone (a new graphql version): read the new
 * source before moving the edit. test/build.test.ts asks the built gate what they touch.
 */
const GRAPHQL_EDITS = [
  // instanceOf, unless NODE_ENV is 'production', follows every failed instanceof (isListType(x), …) with a
  // Symbol.toStringTag comparison, to name a second graphql instance: 1 % of the gate's CPU per GraphQL request. The
  // bundle holds one graphql (above; test/build.test.ts), so the gate takes the production branch.
  {
    file: /[\\/]graphql[\\/]jsutils[\\/]instanceOf\.mjs$/,
    changes: [["process.env.NODE_ENV === 'production'", 'true']],
  },
  // The type predicates (isNonNullType, isListType, isLeafType's isScalarType…) asked instanceOf(type, <class>): one
  // call site for every class, so V8 looks the class's Symbol.hasInstance up at each call (~17 ns, against ~5 for an
  // instanceof of a known class). They run several times for every field coerced or completed: in batches of 50,
  // InstanceOf was 3.5 % of the gate's CPU (perf, docs/benchmarks.md session 14). instanceOf is that instanceof in
  // the production branch the edit above picks, so each predicate says it itself.
  {
    file: /[\\/]graphql[\\/]type[\\/]definition\.mjs$/,
    changes: GRAPHQL_TYPE_CLASSES.map((name) => [
      `return instanceOf(type, ${name});`,
      `return type instanceof ${name};`,
    ]),
  },
  // getArgumentValues runs for every field of every object in a result, and for a field without arguments built
  // two null-prototype maps and a copy of one to answer `{}`: 15 % of what the gate allocated per task in batches of
  // 50 (docs/benchmarks.md, session 13). A field that declares no argument gets its `{}` at once; any other the loop.
  {
    file: /[\\/]graphql[\\/]execution[\\/]values\.mjs$/,
    changes: [
      [
        'export function getArgumentValues(def, node, variableValues) {\n',
        'export function getArgumentValues(def, node, variableValues) {\n  if (def.args.length === 0) return {};\n',
      ],
    ],
  },
  // executeFields built each object of a result (every lease, task and completion of a batch) as a null-prototype
  // object, which V8 keeps as a hash table: 17 % of what the gate allocated per task in batches of 50, and slower to
  // fill and to serialise. A plain object answers the same JSON; only a field answered under the alias `__proto__`
  // would set its prototype instead, so a selection with that alias keeps the null-prototype object.
  {
    file: /[\\/]graphql[\\/]execution[\\/]execute\.mjs$/,
    changes: [
      [
        'function executeFields(exeContext, parentType, sourceValue, path, fields) {\n  const results = Object.create(null);\n',
        "function executeFields(exeContext, parentType, sourceValue, path, fields) {\n  const results = fields.has('__proto__') ? Object.create(null) : {};\n",
      ],
    ],
  },
  // coerceInputValue, for each input object of the variables (a completion batch's 50), listed the type's fields
  // with Object.values of a null-prototype map and copied the null-prototype object it had filled into the plain
  // object it answers: two thirds of its time (~3.5 µs per completion, ~1.2 without). The field list is kept per
  // type (its fields are fixed once read), and the plain object is filled directly — the same own fields in the
  // same order (an input field's name cannot be `__proto__`: names starting with `__` are reserved).
  {
    file: /[\\/]graphql[\\/]utilities[\\/]coerceInputValue\.mjs$/,
    changes: [
      [
        'const coercedValue = Object.create(null);\n    const fieldDefs = type.getFields();\n\n    for (const field of Object.values(fieldDefs)) {',
        'const coercedValue = {};\n    const fieldDefs = type.getFields();\n\n    for (const field of inputFieldList(type, fieldDefs)) {',
      ],
      ['    return { ...coercedValue };', '    return coercedValue;'],
      [
        '\nexport function coerceInputValue(',
        `
const inputFieldLists = new WeakMap();
function inputFieldList(type, fieldDefs) {
  let list = inputFieldLists.get(type);
  if (list === undefined) {
    list = Object.values(fieldDefs);
    inputFieldLists.set(type, list);
  }
  return list;
}
export function coerceInputValue(`,
      ],
    ],
  },
];

/** The output with every non-ASCII character left by esbuild (in regular expression literals and comments) as
 * \uXXXX escapes, which mean the same there (a character above U+FFFF as its surrogate pair, which a /u regex
 * reads as one code point). The source map's columns shift on those few lines only. */
function asciiOnly(file) {
  return file.text.replace(/(\\?)([^\0-\x7f])/gu, (_, backslash, char) => {
    // \<char> is an identity escape in a regex literal, but \\<char> is an escaped backslash: not worth telling apart
    if (backslash) throw new Error(`${relative(ROOT, file.path)}: a backslash before a non-ASCII character`);
    return char
      .split('')
      .map((unit) => `\\u${unit.charCodeAt(0).toString(16).padStart(4, '0')}`)
      .join('');
  });
}

function writeAtomically(path, contents) {
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, contents);
  renameSync(temporary, path);
}

function removeOldChunks(current) {
  const dir = join(DIST, 'chunks');
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (current.has(path)) continue;
    try {
      if (Date.now() - statSync(path).mtimeMs > OLD_CHUNK_MS) unlinkSync(path);
    } catch {
      // another build removed it meanwhile
    }
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const check = process.argv.includes('--check');
  if (check) {
    const current = buildIsCurrent();
    console.log(current ? 'build: dist/ is current' : 'build: dist/ is missing or older than the sources');
    process.exit(current ? 0 : 1);
  }
  const ms = await build();
  if (!process.argv.includes('--quiet'))
    console.log(
      `build: ${relative(process.cwd(), DIST) || '.'}/ (${Object.keys(ENTRIES)
        .map((n) => `${n}.js`)
        .join(', ')}) in ${ms} ms`,
    );
  if (!existsSync(join(DIST, 'cli.js'))) process.exit(1);
}
