#!/usr/bin/env node
// Entry point of `npm start` and `npx ledgerguard`: runs the TypeScript sources through tsx,
// so the product needs no separate compile step.
import { register } from 'tsx/esm/api';

register();
const { runCli } = await import('../server/src/cli/cli.ts');
process.exitCode = await runCli(process.argv.slice(2));
