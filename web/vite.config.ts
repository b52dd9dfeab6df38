import { createReadStream, existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import adapter from '@sveltejs/adapter-node';
import { sveltekit } from '@sveltejs/kit/vite';
import { defineConfig, type Plugin } from 'vite';

/**
 * pdf.js reads some data files at run time by URL: Adobe CMaps (Chinese PDFs whose fonts are not
 * embedded), the standard fonts, its image decoders. They are served from `/pdfjs/<dir>/` as the
 * package ships them: copied into the client build, and from node_modules by the dev server.
 */
function pdfjsAssets(): Plugin {
  const root = path.dirname(createRequire(import.meta.url).resolve('pdfjs-dist/package.json'));
  const dirs = ['cmaps', 'standard_fonts', 'wasm', 'iccs'];
  return {
    name: 'cloudschool:pdfjs-assets',
    configureServer(server) {
      server.middlewares.use('/pdfjs', (req, res, next) => {
        const [dir, name] = decodeURIComponent((req.url ?? '').split('?')[0]!)
          .split('/')
          .filter(Boolean);
        const file = dir && name && dirs.includes(dir) ? path.join(root, dir, path.basename(name)) : '';
        if (!file || !existsSync(file) || !statSync(file).isFile()) return next();
        if (file.endsWith('.wasm')) res.setHeader('Content-Type', 'application/wasm');
        createReadStream(file).pipe(res);
      });
    },
    applyToEnvironment: (environment) => environment.name === 'client',
    generateBundle() {
      for (const dir of dirs) {
        for (const name of readdirSync(path.join(root, dir))) {
          if (name.startsWith('LICENSE')) continue;
          this.emitFile({
            type: 'asset',
            fileName: `pdfjs/${dir}/${name}`,
            source: readFileSync(path.join(root, dir, name)),
          });
        }
      }
    },
  };
}

/**
 * The pages' Content Security Policy: everything from this site only. SvelteKit adds a nonce (or hash) for
 * its own inline bootstrap script; pdf.js needs WebAssembly for its image decoders and a worker; the board
 * export and camera previews use blob: and data: URLs; Svelte writes inline `style` attributes.
 */
const csp = {
  mode: 'auto' as const,
  directives: {
    'default-src': ['self' as const],
    'script-src': ['self' as const, 'wasm-unsafe-eval' as const],
    'style-src': ['self' as const, 'unsafe-inline' as const],
    'img-src': ['self' as const, 'data:' as const, 'blob:' as const],
    'media-src': ['self' as const, 'blob:' as const],
    'font-src': ['self' as const, 'data:' as const],
    'connect-src': ['self' as const],
    'worker-src': ['self' as const, 'blob:' as const],
    'object-src': ['none' as const],
    'base-uri': ['self' as const],
    'form-action': ['self' as const],
    'frame-ancestors': ['none' as const],
  },
};

// SvelteKit 3 takes its options here: a svelte.config.js is refused.
export default defineConfig({
  plugins: [sveltekit({ adapter: adapter(), csp }), pdfjsAssets()],
});
