#!/usr/bin/env node
// The `switchboard` command. Runs the built CLI (npm install builds it).
import { runCli } from '../dist/cli.js';

await runCli(process.argv);
