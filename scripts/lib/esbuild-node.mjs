// The esbuild options every bundle of this repository shares (the Lambda functions, the CLI, the
// Action): one minified ESM file for Node 20, no comments, no absolute paths, so the same sources
// and lock file always give the same bytes.

/** CommonJS dependencies inside an ESM bundle still call require() for node built-ins. */
export const REQUIRE_SHIM = "import{createRequire as __createRequire}from'node:module';const require=__createRequire(import.meta.url);";

/** @param {string} root the repository root (esbuild's working directory, so nothing depends on where it lies) */
export function nodeBundleOptions(root) {
  return {
    absWorkingDir: root,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'esm',
    minify: true,
    legalComments: 'none',
    logLevel: 'warning',
    banner: { js: REQUIRE_SHIM },
  };
}
