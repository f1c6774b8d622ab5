#!/usr/bin/env node
// Builds what this repository ships besides the Lambda functions (scripts/package.mjs does those):
//
//   node scripts/build.mjs cli [--out-dir DIR]      → dist/cli/, the npm package `image-assurance`:
//        package.json (the root's name and version, the bin, no dependencies), image-assurance.mjs
//        (the bin: src/cli/launch.ts, which runs lib/image-assurance.cjs from V8's code cache),
//        lib/image-assurance.cjs (src/cli/run.ts bundled with everything it imports, as CommonJS,
//        which node:vm compiles with a code cache), policies/ (the presets and
//        schema.json, found by walking up from the bundle), README.md, LICENSE,
//        THIRD-PARTY-LICENSES.md (the licenses of the bundled packages).
//   node scripts/build.mjs action [--out-dir DIR]   → dist/action/: index.mjs (src/action/main.ts
//        bundled; action.yml's `main`, committed) and THIRD-PARTY-LICENSES.md. The presets come from
//        the repository's policies/ folder above it, which GitHub checks out with the action.
//
// Both builds are byte-for-byte reproducible from the same sources and lock file: the committed
// Action bundle is checked against a fresh build by test/action/bundle.test.ts.
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { build } from 'esbuild';
import { nodeBundleOptions } from './lib/esbuild-node.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const rootPackage = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));

const TARGETS = {
  cli: { entry: 'src/cli/run.ts', outDir: 'dist/cli', bundle: 'lib/image-assurance.cjs', launcher: { entry: 'src/cli/launch.ts', bundle: 'image-assurance.mjs' }, files: writePackageFiles },
  action: { entry: 'src/action/main.ts', outDir: 'dist/action', bundle: 'index.mjs', files: () => {} },
};

const { values: options, positionals } = parseArgs({ options: { 'out-dir': { type: 'string' } }, allowPositionals: true });
const target = TARGETS[positionals[0]];
if (!target || positionals.length !== 1) {
  console.error(`usage: node scripts/build.mjs ${Object.keys(TARGETS).join('|')} [--out-dir DIR]`);
  process.exit(2);
}
const outDir = resolve(options['out-dir'] ?? join(root, target.outDir));

rmSync(outDir, { recursive: true, force: true });
mkdirSync(outDir, { recursive: true });
const bundlePath = join(outDir, target.bundle);
// The version is baked in: an installed bundle lies beside no package.json of ours (src/cli/version.ts).
const define = { IMAGE_ASSURANCE_VERSION: JSON.stringify(rootPackage.version) };
const result = await build({
  ...nodeBundleOptions(root),
  entryPoints: [join(root, target.entry)],
  outfile: bundlePath,
  metafile: true,
  ...(target.launcher
    ? {
        // CommonJS, which node:vm compiles with a code cache; `import.meta.url` is the file's own URL.
        format: 'cjs',
        define: { ...define, 'import.meta.url': '__import_meta_url' },
        banner: { js: 'var __import_meta_url = require("node:url").pathToFileURL(__filename).href;' },
      }
    : { define, banner: { js: `#!/usr/bin/env node\n${nodeBundleOptions(root).banner.js}` } }),
});
if (target.launcher) {
  await build({
    ...nodeBundleOptions(root),
    entryPoints: [join(root, target.launcher.entry)],
    outfile: join(outDir, target.launcher.bundle),
    banner: { js: '#!/usr/bin/env node' },
  });
}
chmodSync(join(outDir, target.launcher?.bundle ?? target.bundle), 0o755);
writeFileSync(join(outDir, 'THIRD-PARTY-LICENSES.md'), renderThirdPartyLicenses(Object.keys(result.metafile.inputs)));
target.files(outDir);
console.log(`${outDir}: ${target.bundle} ${(result.metafile.outputs[Object.keys(result.metafile.outputs)[0]].bytes / 1024).toFixed(0)} KB`);

/** dist/cli's own files: the published package.json, the presets, README and LICENSE. */
function writePackageFiles(dir) {
  const packageJson = {
    name: rootPackage.name,
    version: rootPackage.version,
    description: rootPackage.description,
    license: rootPackage.license,
    type: 'module',
    bin: { 'image-assurance': target.launcher.bundle },
    engines: rootPackage.engines,
    keywords: ['container', 'image', 'security', 'policy', 'trivy', 'grype', 'sarif', 'ci'],
  };
  writeFileSync(join(dir, 'package.json'), `${JSON.stringify(packageJson, null, 2)}\n`);
  mkdirSync(join(dir, 'policies'));
  for (const file of readdirSync(join(root, 'policies')).filter((name) => name.endsWith('.yml') || name === 'schema.json').sort()) {
    writeFileSync(join(dir, 'policies', file), readFileSync(join(root, 'policies', file)));
  }
  for (const file of ['README.md', 'LICENSE', 'CHANGELOG.md']) writeFileSync(join(dir, file), readFileSync(join(root, file)));
}

/**
 * The license texts of the packages bundled in (MIT, ISC and the like ask that their notice travel
 * with every copy), from the bundle's metafile, in name order.
 */
function renderThirdPartyLicenses(inputs) {
  const packageDirs = new Set();
  for (const input of inputs) {
    const match = /^(.*node_modules\/(?:@[^/]+\/)?[^/]+)\//.exec(input);
    if (match) packageDirs.add(match[1]);
  }
  const sections = [...packageDirs]
    .map((dir) => {
      const manifest = JSON.parse(readFileSync(join(root, dir, 'package.json'), 'utf8'));
      const licenseFile = readdirSync(join(root, dir)).find((name) => /^(licen[cs]e|copying)(\.(md|txt))?$/i.test(name));
      const text = licenseFile
        ? readFileSync(join(root, dir, licenseFile), 'utf8').trim()
        : `${manifest.license} (the package ships no license file)${manifest.author ? `; author: ${authorOf(manifest.author)}` : ''}`;
      return { name: manifest.name, version: manifest.version, license: manifest.license, text };
    })
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const unique = sections.filter((section, index) => index === 0 || section.name !== sections[index - 1].name || section.version !== sections[index - 1].version);
  return [
    '# Third-party licenses',
    '',
    'The bundle in this folder includes the following packages.',
    '',
    ...unique.flatMap((s) => [`## ${s.name} ${s.version} (${s.license})`, '', '```text', s.text, '```', '']),
  ].join('\n');
}

function authorOf(author) {
  return typeof author === 'string' ? author : [author.name, author.email && `<${author.email}>`].filter(Boolean).join(' ');
}
