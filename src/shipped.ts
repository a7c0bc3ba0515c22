/**
 * Where the files the package ships beside its JavaScript are: the two WASM
 * files in dist/wasm/ (web-tree-sitter's runtime and the bash grammar) and the
 * third-party JavaScript built into dist/vendor/ (scripts/bundle.mjs), which
 * the package carries instead of depending on the npm packages.
 */

/** Replaced by the bundler (scripts/bundle.mjs) with the path from the bundle's directory to dist/; undeclared (typeof "undefined") elsewhere. */
declare const __DOCKERFILE_DIST__: string | undefined;

/**
 * A shipped file (`wasm/tree-sitter-bash.wasm`, `vendor/dockerfile-ast.cjs`)
 * as a URL, or null when this module runs as TypeScript from src/ (the
 * tests), where the development dependencies' own files are used instead.
 */
export function shippedFile(relative: string): URL | null {
  if (import.meta.url.endsWith(".ts")) return null;
  // a bundle says where dist/ is from its own file; tsc's dist/src/shipped.js is one level down
  const dist = typeof __DOCKERFILE_DIST__ === "string" ? __DOCKERFILE_DIST__ : "../";
  return new URL(dist + relative, import.meta.url);
}
