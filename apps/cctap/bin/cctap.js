#!/usr/bin/env node
// The `cctap` command as npm installs it (`npx cctap` from the repository, `npm link`, a global install):
// it runs the built CLI. It lives outside dist/ so that the link npm makes at install time, before anything
// is built, points at a file that exists (and that npm can mark executable).
import('../dist/main.js').catch((err) => {
  if (err?.code === 'ERR_MODULE_NOT_FOUND' && String(err.message).includes('dist/main.js')) {
    console.error('cctap: not built yet: run `npm run build` (or `npm start`) in the repository first');
    process.exitCode = 1;
    return;
  }
  throw err;
});
